import { describe, expect, it } from "vitest";
import type { Device } from "@/features/sites";
import { powerCsv } from "./power-csv";

const times = [
  "2026-05-01T10:00:00+02:00",
  "2026-05-01T10:15:00+02:00",
  "2026-05-01T10:30:00+02:00",
];
const devices = [
  { id: 1, name: "Main" },
  { id: 2, name: "PV" },
] as Device[];
const LATER = Date.UTC(2030, 0, 1);

describe("powerCsv", () => {
  it("has avg, min and max of one device, rows with data only", () => {
    const series = [{ times, avg: [1, null, 3], min: [0.5, null, 2], max: [2, null, 4] }];
    expect(powerCsv(devices.slice(0, 1), series, true, LATER)).toEqual({
      header: ["time", "power_avg_kw", "power_min_kw", "power_max_kw"],
      rows: [
        [times[0], 1, 0.5, 2],
        [times[2], 3, 2, 4],
      ],
    });
  });

  it("has one avg column per device, a row where any device has data", () => {
    const series = [
      { times, avg: [1, null, null], min: [], max: [] },
      { times, avg: [null, null, 7], min: [], max: [] },
    ];
    expect(powerCsv(devices, series, false, LATER)).toEqual({
      header: ["time", "Main avg_kw", "PV avg_kw"],
      rows: [
        [times[0], 1, null],
        [times[2], null, 7],
      ],
    });
  });

  it("leaves out the future", () => {
    const series = [{ times, avg: [1, 2, 3], min: [1, 2, 3], max: [1, 2, 3] }];
    const now = Date.parse("2026-05-01T10:20:00+02:00");
    expect(powerCsv(devices.slice(0, 1), series, true, now).rows).toHaveLength(2);
  });
});
