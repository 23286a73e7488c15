/** Leaving with unsaved changes asks first (in the app, and when closing the tab). */
import { App } from "antd";
import { useEffect } from "react";
import type { RefObject } from "react";
import { useBlocker } from "react-router";

export function useLeaveGuard(dirtyRef: RefObject<boolean>) {
  const { modal } = App.useApp();
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      dirtyRef.current && currentLocation.pathname !== nextLocation.pathname,
  );
  useEffect(() => {
    if (blocker.state !== "blocked") return;
    modal.confirm({
      title: "Leave without saving?",
      content: "The changes to this tariff are not saved.",
      okText: "Leave",
      okButtonProps: { danger: true },
      cancelText: "Stay",
      onOk: () => blocker.proceed(),
      onCancel: () => blocker.reset(),
    });
  }, [blocker, modal]);
  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (dirtyRef.current) e.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirtyRef]);
}
