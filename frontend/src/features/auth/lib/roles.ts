import type { Role, User } from "@/api/types";

/**
 * A tenant user (role "tenant", issue 17): sees only its tenant's portal. Compared as a
 * string so this holds whether or not the generated `Role` lists "tenant" yet.
 */
export function isTenantUser(user: Pick<User, "role"> | null | undefined): boolean {
  return (user?.role as string | undefined) === "tenant";
}

/** Admins may do everything a viewer may; a tenant user is neither. */
export function hasRole(user: Pick<User, "role"> | null | undefined, role: Role): boolean {
  if (!user || isTenantUser(user)) return false;
  return role === "viewer" || user.role === "admin";
}

export const roleLabels: Record<Role, string> & Record<string, string> = {
  admin: "Admin",
  viewer: "Viewer",
  tenant: "Tenant",
};
