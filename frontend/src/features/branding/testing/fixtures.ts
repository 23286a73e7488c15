import type { Branding } from "../lib/types";

export const acmeBranding: Branding = {
  product_name: "Acme Energy",
  primary_color: "#0050b3",
  secondary_color: "#fa8c16",
  theme: "light",
  tagline: "Power, <b>plainly</b>",
  support_email: "help@acme.example",
  support_url: "https://acme.example/support",
  logo_url: "/api/branding/assets/0123456789abcdef0123456789abcdef.png",
  favicon_url: "/api/branding/assets/fedcba9876543210fedcba9876543210.png",
};

export const defaultServerBranding: Branding = {
  product_name: "Power Portal",
  primary_color: "#1677ff",
  secondary_color: "#13c2c2",
  theme: "light",
  tagline: "Energy you can see, costs you can trust.",
  support_email: null,
  support_url: null,
  logo_url: null,
  favicon_url: null,
};
