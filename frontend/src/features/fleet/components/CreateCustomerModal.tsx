import { Form, Input, Typography } from "antd";
import { FormModal } from "@/components/form-modal/FormModal";
import { useCreateCustomer } from "../api/customers";
import type { CustomerWithToken } from "../types";

type CustomerValues = { code: string; name: string };

const FIELDS = ["code", "name"] as const;
/** The server's rule: letters, digits, dashes and underscores in any case, 2–40, starting with a
 * letter or digit (DEV0001, Acme_Plant_3). Unique whatever its case. */
export const CUSTOMER_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$/;

type CreateCustomerModalProps = {
  onClose: () => void;
  /** The new customer, with its token (to be shown once). */
  onCreated: (customer: CustomerWithToken) => void;
};

/** Register a customer stack. Mounted while open, so every opening starts blank. */
export function CreateCustomerModal({ onClose, onCreated }: CreateCustomerModalProps) {
  const createCustomer = useCreateCustomer();

  const onSubmit = async ({ code, name }: CustomerValues) => {
    onCreated(await createCustomer.mutateAsync({ code: code.trim(), name: name.trim() }));
  };

  return (
    <FormModal<CustomerValues>
      title="Add customer"
      okText="Add"
      onSubmit={onSubmit}
      onClose={onClose}
      fields={FIELDS}
      testIds={{
        modal: "create-customer-modal",
        form: "create-customer-form",
        submit: "create-customer-submit",
        error: "create-customer-error",
      }}
    >
      <Typography.Paragraph type="secondary">
        A customer is one portal stack that pushes its sites, devices and readings here. It gets a
        token, shown once, for its configuration.
      </Typography.Paragraph>
      <Form.Item
        label="Code"
        name="code"
        extra="Letters, digits, '-' and '_' in any case (DEV0001, Acme_Plant_3); unique whatever its case."
        rules={[
          { required: true, whitespace: true, message: "Enter a code" },
          {
            pattern: CUSTOMER_CODE_PATTERN,
            message: "2–40 letters, digits, '-' or '_' (starting with a letter or digit)",
          },
        ]}
      >
        <Input data-testid="customer-form-code" autoComplete="off" placeholder="DEV0001" />
      </Form.Item>
      <Form.Item
        label="Name"
        name="name"
        rules={[
          { required: true, whitespace: true, message: "Enter the customer's name" },
          { max: 200, message: "At most 200 characters" },
        ]}
      >
        <Input data-testid="customer-form-name" autoComplete="off" placeholder="Acme Mining" />
      </Form.Item>
    </FormModal>
  );
}
