/**
 * White-label branding. Everything customer-facing that names the product
 * or sets its colours should read from here.
 */
export const brand = {
  productName: "Power Portal",
  primaryColor: "#1668dc",
} as const;
