import type { Role, User } from "@/api/types";

/** Admins may do everything a viewer may. */
export function hasRole(user: Pick<User, "role"> | null | undefined, role: Role): boolean {
  if (!user) return false;
  return role === "viewer" || user.role === "admin";
}

export const roleLabels: Record<Role, string> = {
  admin: "Admin",
  viewer: "Viewer",
};
