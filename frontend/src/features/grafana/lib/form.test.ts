import { describe, expect, it } from "vitest";
import { ApiError } from "@/api/client";
import { fieldPathProblems, toUpdate } from "./form";

describe("the Grafana settings form", () => {
  it("turns an empty base URL into null and empty optional fields into nulls", () => {
    expect(
      toUpdate({
        base_url: "  ",
        dashboards: [{ title: " Plant ", uid: " abc ", slug: "", height: undefined }],
      }),
    ).toEqual({
      base_url: null,
      dashboards: [{ title: "Plant", uid: "abc", slug: null, height: null }],
    });
  });

  it("maps 422 problems to the row and field they name", () => {
    const error = new ApiError(422, {
      detail: [
        { loc: ["body", "dashboards", 1, "uid"], msg: "Value error, a dashboard uid has …" },
        { loc: ["body", "base_url"], msg: "Value error, must be a path on this site" },
        { loc: ["query", "x"], msg: "ignored" },
      ],
    });
    expect(fieldPathProblems(error)).toEqual([
      { name: ["dashboards", 1, "uid"], message: "a dashboard uid has …" },
      { name: ["base_url"], message: "must be a path on this site" },
    ]);
    expect(fieldPathProblems(new ApiError(500, {}))).toEqual([]);
  });
});
