import { describe, expect, it } from "vitest";
import { subjectName, type SubjectNames } from "./subjects";

const names: SubjectNames = {
  sites: new Map([[1, "Centre"]]),
  devices: new Map([[7, { name: "Incomer", site_id: 1 }]]),
};

describe("subjectName", () => {
  it.each([
    [{ site_id: 1, device_id: null, virtual_meter_id: null }, "Centre"],
    [{ site_id: 9, device_id: null, virtual_meter_id: null }, "site 9"],
    [{ site_id: null, device_id: 7, virtual_meter_id: null }, "Incomer (Centre)"],
    [{ site_id: null, device_id: 8, virtual_meter_id: null }, "device 8"],
    [{ site_id: null, device_id: null, virtual_meter_id: 4, subject_name: "Shops" }, "Shops"],
    [{ site_id: null, device_id: null, virtual_meter_id: 4, subject_name: "" }, "virtual meter 4"],
  ])("%o is named %s", (rule, expected) => {
    expect(subjectName(rule, names)).toBe(expected);
  });
});
