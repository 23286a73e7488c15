import type { MouseEvent } from "react";

/** The id of every shell's main landmark: the skip link's target. */
export const MAIN_CONTENT_ID = "main-content";

/**
 * "Skip to main content": the first thing the Tab key reaches in a shell, hidden until it has
 * the focus (index.css, `.skip-link`). It moves the focus into the main landmark (which needs
 * `tabIndex={-1}`) without changing the URL (the router owns it).
 */
export function SkipLink({ target = MAIN_CONTENT_ID }: { target?: string }) {
  const skip = (event: MouseEvent<HTMLAnchorElement>) => {
    const main = document.getElementById(target);
    if (!main) return;
    event.preventDefault();
    main.focus();
    main.scrollIntoView?.({ block: "start" });
  };
  return (
    <a className="skip-link" href={`#${target}`} onClick={skip} data-testid="skip-link">
      Skip to main content
    </a>
  );
}
