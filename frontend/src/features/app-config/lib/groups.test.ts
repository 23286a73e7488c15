import { describe, expect, it } from "vitest";
import { formatBytes, humanize } from "./groups";

describe("formatBytes", () => {
  it("uses the largest whole binary unit", () => {
    expect(formatBytes(10 * 1024 * 1024)).toBe("10 MiB");
    expect(formatBytes(512 * 1024)).toBe("512 KiB");
    expect(formatBytes(1500)).toBe("1,500 bytes");
    expect(formatBytes(3 * 1024 ** 3)).toBe("3 GiB");
  });
});

describe("humanize", () => {
  it("spells a key out", () => {
    expect(humanize("fleet_push")).toBe("Fleet push");
    expect(humanize("config_file")).toBe("Config file");
  });
});
