import type { Schemas } from "@/api/types";

export type SiteReport = Schemas["SiteReport"];
export type ReportGap = Schemas["Gap"];
export type Schedule = Schemas["ScheduleRead"];
export type ScheduleCreate = Schemas["ScheduleCreate"];
export type ScheduleUpdate = Schemas["ScheduleUpdate"];
export type Cadence = Schedule["cadence"];
export type Weekday = NonNullable<Schedule["weekday"]>;
export type Content = Schedule["contents"][number];
export type SendNow = Schemas["SendNow"];
export type Run = Schemas["RunRead"];
export type RunFile = Schemas["RunFile"];
export type RunDelivery = Schemas["RunDelivery"];
export type DeliveryStatus = RunDelivery["status"];
