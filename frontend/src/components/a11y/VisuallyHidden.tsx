import type { CSSProperties, ReactNode } from "react";

export const VISUALLY_HIDDEN: CSSProperties = {
  position: "absolute",
  width: 1,
  height: 1,
  padding: 0,
  margin: -1,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
  border: 0,
};

/** Text for screen readers only: a column's name, a live region, instructions. */
export function VisuallyHidden({
  children,
  ...rest
}: {
  children?: ReactNode;
  id?: string;
  role?: string;
  "aria-live"?: "polite" | "assertive";
  "data-testid"?: string;
}) {
  return (
    <span style={VISUALLY_HIDDEN} {...rest}>
      {children}
    </span>
  );
}
