import type { components } from "./schema";

export type Schemas = components["schemas"];
export type Health = Schemas["Health"];
