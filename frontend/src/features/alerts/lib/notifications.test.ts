import { describe, expect, it } from "vitest";
import { someChannels } from "../testing/fixtures";
import { preferencesForm, preferencesWrite, smtpForm, smtpWrite } from "./notifications";

describe("preferences", () => {
  it("reads null sites as every site, and sends it back as null", () => {
    const form = preferencesForm({ email: true, severities: ["critical"], site_ids: null });
    expect(form).toEqual({ email: true, severities: ["critical"], sites: "all", site_ids: [] });
    expect(preferencesWrite({ ...form, site_ids: [3] })).toEqual({
      email: true,
      severities: ["critical"],
      site_ids: null,
    });
  });

  it("sends chosen sites, and severities in their order", () => {
    expect(
      preferencesWrite({
        email: true,
        severities: ["critical", "info"],
        sites: "chosen",
        site_ids: [2, 1],
      }),
    ).toEqual({ email: true, severities: ["info", "critical"], site_ids: [2, 1] });
  });
});

describe("SMTP settings", () => {
  const form = smtpForm(someChannels.smtp);

  it("never pre-fills the password", () => {
    expect(form.password).toBe("");
    expect(form.clear_password).toBe(false);
  });

  it("keeps the stored password when none is typed", () => {
    expect(smtpWrite(form)).toEqual({
      host: "smtp.example.com",
      port: 587,
      security: "starttls",
      username: "portal",
      password: null,
      clear_password: false,
      from_address: "alerts@example.com",
      from_name: "Power Portal",
    });
  });

  it("replaces it with a typed one, or clears it", () => {
    expect(smtpWrite({ ...form, password: "s3cret" })).toMatchObject({
      password: "s3cret",
      clear_password: false,
    });
    expect(smtpWrite({ ...form, clear_password: true })).toMatchObject({
      password: null,
      clear_password: true,
    });
  });

  it("sends empty optional fields as null", () => {
    expect(smtpWrite({ ...form, username: " ", from_name: "" })).toMatchObject({
      username: null,
      from_name: null,
    });
  });
});
