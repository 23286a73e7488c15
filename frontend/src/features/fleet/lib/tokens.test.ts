import { describe, expect, it } from "vitest";
import { lastTokenUsed, oldTokenState } from "./tokens";

describe("customer tokens", () => {
  it("says whether the replaced token is accepted, as the server decided", () => {
    const none = {
      previous_token_expires_at: null,
      previous_token_accepted: false,
      previous_token_last_used_at: null,
    };
    expect(oldTokenState(none)).toBe("—");
    const until = "2026-12-04T12:00:00Z";
    expect(
      oldTokenState({ ...none, previous_token_expires_at: until, previous_token_accepted: true }),
    ).toMatch(/^accepted until .*; last used never$/);
    expect(oldTokenState({ ...none, previous_token_expires_at: until })).toMatch(/^refused since/);
  });

  it("names the token the latest push came with", () => {
    expect(lastTokenUsed({ last_token_used: "previous" })).toContain("old token");
    expect(lastTokenUsed({ last_token_used: "current" })).toBe("the current token");
    expect(lastTokenUsed({ last_token_used: null })).toBe("none yet");
  });
});
