/** How the rules table names a rule's subject: a device with its site; a virtual meter by the
 * name the API gives (`subject_name`). */
import type { AlertRule } from "../types";

export type SubjectNames = {
  sites: Map<number, string>;
  devices: Map<number, { name: string; site_id: number }>;
};

/** "Centre", "Incomer (Centre)", "virtual meter 4". */
export function subjectName(
  rule: Pick<AlertRule, "site_id" | "device_id" | "virtual_meter_id"> &
    Partial<Pick<AlertRule, "subject_name">>,
  names: SubjectNames,
): string {
  if (rule.device_id != null) {
    const device = names.devices.get(rule.device_id);
    if (!device) return `device ${rule.device_id}`;
    const site = names.sites.get(device.site_id);
    return site ? `${device.name} (${site})` : device.name;
  }
  if (rule.virtual_meter_id != null)
    return rule.subject_name || `virtual meter ${rule.virtual_meter_id}`;
  if (rule.site_id != null) return names.sites.get(rule.site_id) ?? `site ${rule.site_id}`;
  return "—";
}
