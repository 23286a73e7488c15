import {
  App,
  Checkbox,
  Col,
  Form,
  Input,
  InputNumber,
  Radio,
  Row,
  Select,
  Switch,
  Tooltip,
  Typography,
} from "antd";
import { FormModal } from "@/components/form-modal/FormModal";
import type { Site } from "@/features/sites";
import { useSiteTenants } from "@/features/tenants";
import { useCreateSchedule, useUpdateSchedule } from "../api/schedules";
import {
  CADENCE_LABELS,
  CONTENTS,
  contentLabel,
  contentRefusal,
  contentsProblem,
  formFromSchedule,
  keepAllowedContents,
  MAX_RECIPIENTS,
  recipientsProblem,
  SCHEDULE_FIELDS,
  scheduleCreateFromForm,
  scheduleFormDefaults,
  scheduleUpdateFromForm,
  WEEKDAY_LABELS,
  WEEKDAYS,
} from "../lib/schedules";
import type { ScheduleFormValues } from "../lib/schedules";
import type { Cadence, Content, Schedule } from "../types";

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/** On an edit the site and the tenant stay: a 422 about them goes in the alert. */
const EDIT_FIELDS = SCHEDULE_FIELDS.filter((f) => f !== "site_id" && f !== "tenant_id");

type Props = {
  schedule?: Schedule;
  sites: Site[];
  /** A new schedule's site (the one the page shows). */
  defaultSiteId?: number;
  /** How the table names the schedule's site and tenant (read-only on an edit). */
  subjectName?: string;
  onClose: () => void;
};

/** The site and, optionally, one of its tenants (a new schedule only). */
function SubjectFields({ sites }: { sites: Site[] }) {
  const form = Form.useFormInstance<ScheduleFormValues>();
  const siteId = Form.useWatch("site_id", form) ?? undefined;
  const cadence: Cadence = Form.useWatch("cadence", form) ?? "monthly";
  const tenants = useSiteTenants(siteId ?? undefined);

  const onTenant = (tenantId: number | undefined) => {
    const contents = (form.getFieldValue("contents") as Content[] | undefined) ?? [];
    form.setFieldsValue({
      tenant_id: tenantId ?? null,
      contents: keepAllowedContents(contents, { cadence, tenant: tenantId !== undefined }),
    });
  };

  return (
    <Row gutter={12}>
      <Col xs={24} sm={12}>
        <Form.Item
          name="site_id"
          label="Site"
          rules={[{ required: true, message: "Pick the site" }]}
        >
          <Select
            data-testid="schedule-site"
            placeholder="Site"
            showSearch={{ optionFilterProp: "label" }}
            options={sites.map((s) => ({ value: s.id, label: s.name }))}
            onChange={() => onTenant(undefined)}
          />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item
          name="tenant_id"
          label="Tenant (optional)"
          tooltip="A tenant's schedule sends that tenant's bill only."
        >
          <Select
            data-testid="schedule-tenant"
            allowClear
            placeholder={siteId ? "The whole site" : "Pick the site first"}
            disabled={!siteId}
            loading={tenants.isFetching}
            showSearch={{ optionFilterProp: "label" }}
            options={(tenants.data ?? []).map((t) => ({ value: t.id, label: t.name }))}
            onChange={(id?: number | null) => onTenant(id ?? undefined)}
            notFoundContent="This site has no tenants"
          />
        </Form.Item>
      </Col>
    </Row>
  );
}

/** Monthly (a day of the month) or weekly (a weekday), at a local time. */
function TimingFields() {
  const form = Form.useFormInstance<ScheduleFormValues>();
  const cadence: Cadence = Form.useWatch("cadence", form) ?? "monthly";
  const tenantId = Form.useWatch("tenant_id", { form, preserve: true });

  const onCadence = (next: Cadence) => {
    const contents = (form.getFieldValue("contents") as Content[] | undefined) ?? [];
    form.setFieldsValue({
      contents: keepAllowedContents(contents, { cadence: next, tenant: tenantId != null }),
    });
  };

  return (
    <Row gutter={12}>
      <Col xs={24} sm={10}>
        <Form.Item name="cadence" label="Sent">
          <Radio.Group
            data-testid="schedule-cadence"
            optionType="button"
            onChange={(e) => onCadence(e.target.value as Cadence)}
            options={(["monthly", "weekly"] as const).map((c) => ({
              value: c,
              label: <span data-testid={`schedule-cadence-${c}`}>{CADENCE_LABELS[c]}</span>,
            }))}
          />
        </Form.Item>
      </Col>
      <Col xs={12} sm={7}>
        {cadence === "monthly" ? (
          <Form.Item
            name="day_of_month"
            label="On day"
            tooltip="The previous month is sent on this day (1–28) of the next."
            rules={[{ required: true, message: "1–28" }]}
          >
            <InputNumber
              data-testid="schedule-day"
              min={1}
              max={28}
              precision={0}
              style={{ width: "100%" }}
            />
          </Form.Item>
        ) : (
          <Form.Item
            name="weekday"
            label="On"
            tooltip="The previous week (Monday to Sunday) is sent on this day."
            rules={[{ required: true, message: "Pick the day" }]}
          >
            <Select
              data-testid="schedule-weekday"
              options={WEEKDAYS.map((d) => ({ value: d, label: WEEKDAY_LABELS[d] }))}
            />
          </Form.Item>
        )}
      </Col>
      <Col xs={12} sm={7}>
        <Form.Item
          name="local_time"
          label="At (site time)"
          rules={[
            {
              validator: async (_, value: string | undefined) =>
                value && CLOCK.test(value) ? Promise.resolve() : Promise.reject(new Error("HH:MM")),
            },
          ]}
        >
          <Input data-testid="schedule-time" placeholder="07:00" maxLength={5} />
        </Form.Item>
      </Col>
    </Row>
  );
}

/** The documents: the ones this cadence (and a tenant) cannot send are greyed, with why. */
function ContentsField() {
  const form = Form.useFormInstance<ScheduleFormValues>();
  const cadence: Cadence = Form.useWatch("cadence", form) ?? "monthly";
  const tenant = Form.useWatch("tenant_id", { form, preserve: true }) != null;
  return (
    <Form.Item
      name="contents"
      label="Documents"
      dependencies={["cadence", "tenant_id"]}
      rules={[
        {
          validator: async (_, value: Content[] | undefined) => {
            const problem = contentsProblem(value ?? [], { cadence, tenant });
            return problem ? Promise.reject(new Error(problem)) : Promise.resolve();
          },
        },
      ]}
    >
      <Checkbox.Group
        data-testid="schedule-contents"
        style={{ display: "flex", flexWrap: "wrap", gap: 8 }}
      >
        {CONTENTS.map((c) => {
          const refusal = contentRefusal(c, { cadence, tenant });
          const box = (
            <Checkbox
              key={c}
              value={c}
              disabled={refusal !== null}
              data-testid={`schedule-content-${c}`}
            >
              {contentLabel(c, tenant)}
            </Checkbox>
          );
          return refusal ? (
            <Tooltip key={c} title={refusal}>
              <span>{box}</span>
            </Tooltip>
          ) : (
            box
          );
        })}
      </Checkbox.Group>
    </Form.Item>
  );
}

/** Create or edit a report schedule. */
export function ScheduleFormModal({ schedule, sites, defaultSiteId, subjectName, onClose }: Props) {
  const { message } = App.useApp();
  const create = useCreateSchedule();
  const update = useUpdateSchedule();

  const submit = async (values: ScheduleFormValues) => {
    if (schedule) await update.mutateAsync({ id: schedule.id, ...scheduleUpdateFromForm(values) });
    else await create.mutateAsync(scheduleCreateFromForm(values));
    void message.success(schedule ? `${values.name.trim()} saved` : `${values.name.trim()} added`);
    onClose();
  };

  return (
    <FormModal<ScheduleFormValues>
      title={schedule ? `Edit ${schedule.name}` : "New report schedule"}
      okText={schedule ? "Save" : "Add schedule"}
      onSubmit={submit}
      onClose={onClose}
      fields={schedule ? EDIT_FIELDS : SCHEDULE_FIELDS}
      width={680}
      initialValues={schedule ? formFromSchedule(schedule) : scheduleFormDefaults(defaultSiteId)}
      testIds={{
        form: "schedule-form",
        submit: "schedule-form-submit",
        error: "schedule-form-error",
        modal: "schedule-form-modal",
      }}
    >
      <Form.Item name="name" label="Name" rules={[{ required: true, whitespace: true }]}>
        <Input data-testid="schedule-name" maxLength={200} placeholder="Monthly pack for finance" />
      </Form.Item>
      {schedule ? (
        <Typography.Paragraph data-testid="schedule-subject">
          Sends the documents of <strong>{subjectName ?? "its site"}</strong> (the site and the
          tenant of a schedule stay: make a new schedule for another).
        </Typography.Paragraph>
      ) : (
        <SubjectFields sites={sites} />
      )}
      <TimingFields />
      <ContentsField />
      <Form.Item
        name="recipients"
        label="Recipients"
        extra={`Type an e-mail address and press Enter (up to ${MAX_RECIPIENTS}).`}
        rules={[
          {
            validator: async (_, value: string[] | undefined) => {
              const problem = recipientsProblem(value ?? []);
              return problem ? Promise.reject(new Error(problem)) : Promise.resolve();
            },
          },
        ]}
      >
        <Select
          data-testid="schedule-recipients"
          mode="tags"
          placeholder="finance@example.com"
          tokenSeparators={[",", ";", " "]}
          open={false}
          suffixIcon={null}
        />
      </Form.Item>
      <Form.Item name="enabled" label="Enabled" valuePropName="checked">
        <Switch data-testid="schedule-enabled" />
      </Form.Item>
    </FormModal>
  );
}
