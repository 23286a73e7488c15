import type { Schemas } from "@/api/types";

export type AlertRule = Schemas["RuleRead"];
export type AlertRuleWrite = Schemas["RuleWrite"];
export type AlertRuleUpdate = Schemas["RuleUpdate"];
export type RuleKind = AlertRule["kind"];
export type Severity = AlertRule["severity"];
export type Windows = Schemas["Windows"];
export type Window = Schemas["WindowIn"];
export type Day = Window["days"][number];
export type BacktestRequest = Schemas["BacktestRequest"];
export type BacktestResult = Schemas["BacktestResult"];
export type BacktestSeries = Schemas["BacktestSeries"];

export type Alert = Schemas["AlertRead"];
export type AlertDetail = Schemas["AlertDetail"];
export type AlertEvent = Schemas["AlertEventRead"];
export type AlertSummary = Schemas["AlertSummary"];
/** The list's `state` filter: "acknowledged" is firing and acknowledged. */
export type AlertStateFilter = "firing" | "acknowledged" | "resolved";

export type Delivery = Schemas["DeliveryRead"];
export type DeliveryStatus = Delivery["status"];
export type Preferences = Schemas["PreferencesRead"];
export type PreferencesWrite = Schemas["PreferencesWrite"];
export type Channels = Schemas["Channels"];
export type SmtpSettings = Schemas["SmtpRead"];
export type SmtpWrite = Schemas["SmtpWrite"];
export type SmtpSecurity = SmtpSettings["security"];
export type ChannelTestResult = Schemas["TestResult"];
export type Webhook = Schemas["WebhookRead"];
export type WebhookCreated = Schemas["WebhookCreated"];
export type WebhookWrite = Schemas["WebhookWrite"];
export type WebhookUpdate = Schemas["WebhookUpdate"];
