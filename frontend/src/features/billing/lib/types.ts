import type { Schemas } from "@/api/types";

export type Bill = Schemas["Bill"];
export type BillLine = Schemas["BillLine"];
export type DailyCosts = Schemas["DailyCosts"];
export type MonthCost = Schemas["MonthCost"];
