import type { components } from "./schema";

export type Schemas = components["schemas"];
export type Health = Schemas["Health"];
export type User = Schemas["UserRead"];
export type Role = Schemas["Role"];
export type UserCreate = Schemas["UserCreate"];
export type UserUpdate = Schemas["UserUpdate"];
export type LoginRequest = Schemas["LoginRequest"];
