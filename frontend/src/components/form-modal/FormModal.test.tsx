import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Form, Input } from "antd";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "@/api/client";
import { renderWithProviders } from "@/test/utils";
import { FormModal } from "./FormModal";

type Values = { name: string };

function renderModal(onSubmit: (values: Values) => Promise<void>, onClose = vi.fn()) {
  renderWithProviders(
    <FormModal<Values>
      title="Rename"
      okText="Save"
      onSubmit={onSubmit}
      onClose={onClose}
      fields={["name"]}
      initialValues={{ name: "Old" }}
      intro={<p>Give it a new name.</p>}
      testIds={{ form: "f", submit: "f-submit", error: "f-error", modal: "f-modal" }}
    >
      <Form.Item label="Name" name="name" rules={[{ required: true, message: "Enter a name" }]}>
        <Input data-testid="f-name" />
      </Form.Item>
    </FormModal>,
  );
  return { onClose, user: userEvent.setup() };
}

describe("FormModal", () => {
  it("submits the values, spinning while the request runs", async () => {
    let finish = () => {};
    const onSubmit = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const { user } = renderModal(onSubmit);

    expect(screen.getByText("Give it a new name.")).toBeInTheDocument();
    await user.clear(screen.getByTestId("f-name"));
    await user.type(screen.getByTestId("f-name"), "New");
    await user.click(screen.getByTestId("f-submit"));

    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ name: "New" }));
    await waitFor(() => expect(screen.getByTestId("f-submit")).toHaveClass("ant-btn-loading"));
    finish();
    await waitFor(() => expect(screen.getByTestId("f-submit")).not.toHaveClass("ant-btn-loading"));
  });

  it("checks the fields before submitting", async () => {
    const onSubmit = vi.fn(() => Promise.resolve());
    const { user } = renderModal(onSubmit);
    await user.clear(screen.getByTestId("f-name"));
    await user.click(screen.getByTestId("f-submit"));

    expect(await screen.findByText("Enter a name")).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("puts a 422 problem next to its field, and anything else in an alert", async () => {
    const onSubmit = vi
      .fn<(values: Values) => Promise<void>>()
      .mockRejectedValueOnce(
        new ApiError(422, {
          detail: [{ loc: ["body", "name"], msg: "Value error, taken", type: "value_error" }],
        }),
      )
      .mockRejectedValueOnce(new ApiError(409, { detail: "The site changed meanwhile" }));
    const { user } = renderModal(onSubmit);

    await user.click(screen.getByTestId("f-submit"));
    expect(await within(screen.getByTestId("f")).findByText("taken")).toBeInTheDocument();
    expect(screen.queryByTestId("f-error")).not.toBeInTheDocument();

    await user.click(screen.getByTestId("f-submit"));
    expect(await screen.findByTestId("f-error")).toHaveTextContent("The site changed meanwhile");
  });

  it("closes on Cancel", async () => {
    const { onClose, user } = renderModal(() => Promise.resolve());
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(onClose).toHaveBeenCalled();
  });
});
