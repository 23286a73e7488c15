import { DeleteOutlined, UploadOutlined } from "@ant-design/icons";
import { Alert, App, Button, Flex, Popconfirm, theme, Typography, Upload } from "antd";
import { errorMessage } from "@/api/errors";
import { testId } from "@/lib/test-id";
import { useRemoveBrandAsset, useUploadBrandAsset } from "../api/branding";
import type { BrandAssetKind } from "../lib/types";

const LABELS: Record<BrandAssetKind, { name: string; hint: string; size: number }> = {
  logo: {
    name: "Logo",
    hint: "PNG, JPEG or WebP, at most 2 MB; scaled to fit 1024 px. Shown in the header and on the login page.",
    size: 48,
  },
  favicon: {
    name: "Favicon",
    hint: "PNG, JPEG or WebP, at most 2 MB; scaled to fit 256 px. A square image works best.",
    size: 32,
  },
};

/** The current logo or favicon, and the means to replace or remove it. */
export function BrandAssetUpload({
  kind,
  currentUrl,
}: {
  kind: BrandAssetKind;
  currentUrl: string | null;
}) {
  const upload = useUploadBrandAsset(kind);
  const remove = useRemoveBrandAsset(kind);
  const { message } = App.useApp();
  const { token } = theme.useToken();
  const { name, hint, size } = LABELS[kind];
  const failure = upload.error ?? remove.error;

  const onFile = (file: File) => {
    remove.reset();
    upload.mutate(file, { onSuccess: () => void message.success(`${name} uploaded`) });
  };

  return (
    <div data-testid={`${kind}-section`}>
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {name}
      </Typography.Title>
      <Flex gap={16} align="center" wrap>
        <div
          style={{
            minWidth: 96,
            height: size + 24,
            display: "grid",
            placeItems: "center",
            paddingInline: 12,
            border: `1px dashed ${token.colorBorder}`,
            borderRadius: token.borderRadius,
            background: token.colorFillQuaternary,
          }}
        >
          {currentUrl ? (
            <img
              data-testid={`${kind}-current`}
              src={currentUrl}
              alt={`Current ${name.toLowerCase()}`}
              style={{ height: size, maxWidth: 200, objectFit: "contain" }}
            />
          ) : (
            <Typography.Text type="secondary" data-testid={`${kind}-none`}>
              Default
            </Typography.Text>
          )}
        </div>
        <Flex gap={8} wrap>
          <div data-testid={`${kind}-upload`}>
            <Upload
              accept="image/png,image/jpeg,image/webp"
              showUploadList={false}
              maxCount={1}
              beforeUpload={(file) => {
                onFile(file);
                return Upload.LIST_IGNORE; // sent by the API client above, not by Upload itself
              }}
              disabled={upload.isPending || remove.isPending}
            >
              <Button icon={<UploadOutlined />} loading={upload.isPending}>
                {currentUrl ? `Replace ${name.toLowerCase()}` : `Upload ${name.toLowerCase()}`}
              </Button>
            </Upload>
          </div>
          {currentUrl && (
            <Popconfirm
              title={`Remove the ${name.toLowerCase()}?`}
              okText="Remove"
              okButtonProps={{ danger: true, ...testId(`${kind}-remove-confirm`) }}
              onConfirm={() => {
                upload.reset();
                remove.mutate(undefined, {
                  onSuccess: () => void message.success(`${name} removed`),
                });
              }}
            >
              <Button
                data-testid={`${kind}-remove`}
                icon={<DeleteOutlined />}
                loading={remove.isPending}
              >
                Remove
              </Button>
            </Popconfirm>
          )}
        </Flex>
      </Flex>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        {hint}
      </Typography.Paragraph>
      {failure && (
        <Alert
          data-testid={`${kind}-error`}
          type="error"
          showIcon
          title={errorMessage(failure, `The ${name.toLowerCase()} could not be saved.`)}
          style={{ marginTop: 8 }}
        />
      )}
    </div>
  );
}
