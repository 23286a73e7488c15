import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Modal } from "antd";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { focusLost, useReturnFocus } from "./return-focus";

function Dialog({
  name,
  onClose,
  children,
}: {
  name: string;
  onClose: () => void;
  children?: React.ReactNode;
}) {
  useReturnFocus();
  return (
    <Modal open title={name} onCancel={onClose} footer={null}>
      {children}
    </Modal>
  );
}

function Page() {
  const [step, setStep] = useState<"none" | "form" | "result">("none");
  return (
    <>
      <button type="button" onClick={() => setStep("form")}>
        Add
      </button>
      {step === "form" && (
        <Dialog name="Form" onClose={() => setStep("none")}>
          <button type="button" onClick={() => setStep("result")}>
            Create
          </button>
        </Dialog>
      )}
      {step === "result" && <Dialog name="Result" onClose={() => setStep("none")} />}
    </>
  );
}

async function settle() {
  await act(() => new Promise((resolve) => setTimeout(resolve, 10)));
}

describe("useReturnFocus", () => {
  it("gives the focus back to the opener when a dialog is removed", async () => {
    const user = userEvent.setup();
    render(<Page />);
    const add = screen.getByRole("button", { name: "Add" });
    await user.click(add);
    expect(await screen.findByRole("dialog")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Close" }));
    await settle();
    expect(add).toHaveFocus();
  });

  it("gives it back to the first opener after a dialog that followed another", async () => {
    const user = userEvent.setup();
    render(<Page />);
    const add = screen.getByRole("button", { name: "Add" });
    await user.click(add);
    await user.click(await screen.findByRole("button", { name: "Create" }));
    await settle();
    expect(screen.getByText("Result")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Close" }));
    await settle();
    expect(add).toHaveFocus();
  });
});

describe("focusLost", () => {
  it.each([
    ["on the body", null, true],
    ["inside the closing popup", "in-popup", true],
    ["moved on, elsewhere on the page", "elsewhere", false],
  ])("is %s: %s", (_, focusId, lost) => {
    render(
      <>
        <div className="popup">
          <button type="button" data-testid="in-popup">
            field
          </button>
        </div>
        <button type="button" data-testid="elsewhere">
          cell
        </button>
      </>,
    );
    if (focusId === null) (document.activeElement as HTMLElement | null)?.blur();
    else screen.getByTestId(focusId).focus();
    expect(focusLost(".popup")).toBe(lost);
  });
});
