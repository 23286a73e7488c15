import { App, Button, Popconfirm, Space } from "antd";
import { errorMessage } from "@/api/errors";
import {
  useRevokePreviousToken,
  useRotateCustomerToken,
  useSetCustomerActive,
} from "../api/customers";
import type { Customer, CustomerWithToken } from "../types";

type CustomerActionsProps = {
  customer: Customer;
  /** A new token was issued: show it (once). */
  onRotated: (customer: CustomerWithToken) => void;
  size?: "small" | "middle";
};

/** Admin actions on a customer: rotate its token, refuse the replaced one at once, deactivate or
 * activate it. */
export function CustomerActions({ customer, onRotated, size = "small" }: CustomerActionsProps) {
  const { message } = App.useApp();
  const rotate = useRotateCustomerToken();
  const revoke = useRevokePreviousToken();
  const setActive = useSetCustomerActive();
  const onError = (error: unknown) => void message.error(errorMessage(error));

  return (
    <Space size={4} wrap>
      <Popconfirm
        title={`Rotate the token of ${customer.code}?`}
        description="The new token works at once; the current one keeps working for the grace period."
        okText="Rotate"
        okButtonProps={{ danger: true, "data-testid": "customer-rotate-confirm" }}
        onConfirm={() => rotate.mutateAsync(customer.code).then(onRotated, onError)}
      >
        <Button size={size} data-testid="customer-rotate" loading={rotate.isPending}>
          {size === "small" ? "Rotate" : "Rotate token"}
        </Button>
      </Popconfirm>
      {customer.previous_token_accepted && (
        <Popconfirm
          title={`Refuse the old token of ${customer.code} now?`}
          description="Pushes with the token the last rotation replaced are refused from now on."
          okText="Revoke now"
          okButtonProps={{ danger: true, "data-testid": "customer-revoke-confirm" }}
          onConfirm={() =>
            revoke
              .mutateAsync(customer.code)
              .then(
                () => void message.success(`The old token of ${customer.code} is refused`),
                onError,
              )
          }
        >
          <Button size={size} danger data-testid="customer-revoke" loading={revoke.isPending}>
            {size === "small" ? "Revoke old" : "Revoke old token now"}
          </Button>
        </Popconfirm>
      )}
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
