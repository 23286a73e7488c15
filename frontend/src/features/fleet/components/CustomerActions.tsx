import { App, Button, Popconfirm, Space } from "antd";
import { errorMessage } from "@/api/errors";
import { useRotateCustomerToken, useSetCustomerActive } from "../api/customers";
import type { Customer, CustomerWithToken } from "../types";

type CustomerActionsProps = {
  customer: Customer;
  /** A new token was issued: show it (once). */
  onRotated: (customer: CustomerWithToken) => void;
  size?: "small" | "middle";
};

/** Admin actions on a customer: rotate its token, deactivate or activate it. */
export function CustomerActions({ customer, onRotated, size = "small" }: CustomerActionsProps) {
  const { message } = App.useApp();
  const rotate = useRotateCustomerToken();
  const setActive = useSetCustomerActive();
  const onError = (error: unknown) => void message.error(errorMessage(error));

  return (
    <Space size={4} wrap>
      <Popconfirm
        title={`Rotate the token of ${customer.code}?`}
        description="The current token stops working at once; the stack needs the new one."
        okText="Rotate"
        okButtonProps={{ danger: true, "data-testid": "customer-rotate-confirm" }}
        onConfirm={() => rotate.mutateAsync(customer.code).then(onRotated, onError)}
      >
        <Button size={size} data-testid="customer-rotate" loading={rotate.isPending}>
          {size === "small" ? "Rotate" : "Rotate token"}
        </Button>
      </Popconfirm>
      {customer.active ? (
        <Popconfirm
          title={`Deactivate ${customer.code}?`}
          description="Its pushes are refused until it is activated again. Its data stays."
          okText="Deactivate"
          okButtonProps={{ danger: true, "data-testid": "customer-deactivate-confirm" }}
          onConfirm={() =>
            setActive
              .mutateAsync({ code: customer.code, active: false })
              .then(() => void message.success(`Deactivated ${customer.code}`), onError)
          }
        >
          <Button size={size} data-testid="customer-deactivate" loading={setActive.isPending}>
            Deactivate
          </Button>
        </Popconfirm>
      ) : (
        <Button
          size={size}
          data-testid="customer-activate"
          loading={setActive.isPending}
          onClick={() =>
            setActive.mutate(
              { code: customer.code, active: true },
              { onSuccess: () => void message.success(`Activated ${customer.code}`), onError },
            )
          }
        >
          Activate
        </Button>
      )}
    </Space>
  );
}
