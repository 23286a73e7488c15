import { Alert, Form, Modal } from "antd";
import type { ReactNode } from "react";
import { useState } from "react";
import { useReturnFocus } from "@/components/a11y/return-focus";
import { applyServerErrors } from "@/lib/form-errors";
import { testId } from "@/lib/test-id";

/** The `data-testid`s of a form dialog's parts. */
export type FormModalTestIds = {
  /** The form. */
  form: string;
  /** The OK (submit) button. */
  submit: string;
  /** The alert with a problem that no field of the form can show. */
  error?: string;
  /** The dialog itself. */
  modal?: string;
};

type FormModalProps<Values> = {
  title: ReactNode;
  okText: string;
  /**
   * Send the values, then do what success means (say so, close the dialog…).
   * Throw the failed request's error to show it: 422 problems go next to their
   * fields (`fields`), anything else into an alert above the form.
   */
  onSubmit: (values: Values) => Promise<void>;
  /** Cancel, the close button and Escape. */
  onClose: () => void;
  /** The names of the fields a 422 answer may point at. */
  fields: readonly string[];
  initialValues?: Partial<Values>;
  /** Above the form: what the dialog does, a notice. */
  intro?: ReactNode;
  /** The OK button is disabled (nothing can be submitted yet). */
  okDisabled?: boolean;
  /** The dialog's width (antd's default otherwise). */
  width?: number;
  testIds: FormModalTestIds;
  /** The form's fields. */
  children: ReactNode;
};

/**
 * A dialog that is a form: OK submits (after the fields' own checks), Cancel
 * closes; OK spins while the request runs; a failed request's problems show in
 * place. Mount it while open (the parent renders it conditionally), so every
 * opening starts blank.
 */
export function FormModal<Values extends object>({
  title,
  okText,
  onSubmit,
  onClose,
  fields,
  initialValues,
  intro,
  okDisabled,
  width,
  testIds,
  children,
}: FormModalProps<Values>) {
  useReturnFocus();
  const [form] = Form.useForm<Values>();
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (values: Values) => {
    setProblem(null);
    setPending(true);
    try {
      await onSubmit(values);
    } catch (error) {
      setProblem(applyServerErrors(form, error, fields));
    } finally {
      setPending(false);
    }
  };

  return (
    <Modal
      open
      title={title}
      okText={okText}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={pending}
      okButtonProps={{ ...testId(testIds.submit), disabled: okDisabled }}
      destroyOnHidden
      width={width}
      {...(testIds.modal ? testId(testIds.modal) : {})}
    >
      {intro}
      <Form<Values>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={initialValues}
        onFinish={(values) => void submit(values)}
        data-testid={testIds.form}
      >
        {problem && (
          <Alert
            data-testid={testIds.error}
            type="error"
            showIcon
            title={problem}
            style={{ marginBottom: 16 }}
          />
        )}
        {children}
      </Form>
    </Modal>
  );
}
