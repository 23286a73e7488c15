import { Card, Flex, Skeleton } from "antd";
import { LoadFailed } from "@/components/resource-page/ResourcePage";
import { hasRole, useMe } from "@/features/auth";
import { useChannels } from "../api/notifications";
import { DeliveriesCard } from "../components/DeliveriesCard";
import { PreferencesCard } from "../components/PreferencesCard";
import { SmtpCard } from "../components/SmtpCard";
import { WebhooksCard } from "../components/WebhooksCard";

/** The channels (admin): SMTP, webhooks, and the deliveries. */
function ChannelsSection() {
  const channels = useChannels();
  return (
    <>
      <Card size="small" title="E-mail (SMTP)" data-testid="smtp-card">
        {channels.isError ? (
          <LoadFailed
            error={channels.error}
            title="The notification channels could not be loaded"
          />
        ) : channels.data ? (
          <SmtpCard smtp={channels.data.smtp} />
        ) : (
          <Skeleton active />
        )}
      </Card>
      <Card size="small" title="Webhooks" data-testid="webhooks-card">
        {channels.data ? (
          <WebhooksCard webhooks={channels.data.webhooks} />
        ) : channels.isError ? null : (
          <Skeleton active />
        )}
      </Card>
      <DeliveriesCard />
    </>
  );
}

/**
 * /settings/notifications: every user's own preferences; for admins also the channels (SMTP
 * and webhooks, with their test buttons) and the deliveries.
 */
export function NotificationsRoute() {
  const { data: user } = useMe();
  return (
    <Flex vertical gap={16}>
      <PreferencesCard />
      {hasRole(user, "admin") && <ChannelsSection />}
    </Flex>
  );
}
