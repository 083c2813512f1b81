import { useState } from 'react';
import { useIntl } from 'react-intl';
import { useNotification } from '@strapi/strapi/admin';
import { Box, Button, Flex, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { toApiError, useAdminClient, type WhatsappAccountStatus } from '../api/client';
import { useT } from '../hooks/useT';

/**
 * What Meta says about the town's WhatsApp account: templates and their problems (in the admin's
 * language), the messaging-limit tier the daily reach follows, the Graph API version, and a
 * one-click submission of missing templates.
 */
export const WhatsappAccountPanel = ({ account, onChanged }: { account: WhatsappAccountStatus; onChanged(): void | Promise<void> }) => {
  const t = useT();
  const { locale, formatDate, formatNumber } = useIntl();
  const client = useAdminClient();
  const { toggleNotification } = useNotification();
  const [busy, setBusy] = useState(false);
  const german = locale.toLowerCase().startsWith('de');
  const missing = account.problems.some((problem) => problem.code === 'missing');

  const submit = async () => {
    setBusy(true);
    try {
      await client.submitWhatsappTemplates();
      toggleNotification({ type: 'success', message: t('whatsapp.templates.submitted', 'Templates submitted: Meta reviews them (up to 24 hours).') });
      await onChanged();
    } catch (error) {
      toggleNotification({ type: 'danger', message: toApiError(error).message });
    } finally {
      setBusy(false);
    }
  };

  const limit = account.messagingLimit;
  return (
    <Flex direction="column" alignItems="stretch" gap={3} data-testid="whatsapp-account">
      {account.problems.length > 0 && (
        <Box background="warning100" hasRadius padding={3} data-testid="whatsapp-account-problems">
          <Flex direction="column" alignItems="flex-start" gap={1}>
            {account.problems.map((problem) => (
              // warning700 on warning100 reads 4.0:1 (axe wants 4.5): the text stays dark, the box says "warning".
              <Typography key={`${problem.code}-${problem.template ?? ''}-${problem.message.en}`} textColor="neutral800">
                ⚠ {german ? problem.message.de : problem.message.en}
              </Typography>
            ))}
          </Flex>
        </Box>
      )}
      <Flex gap={6} wrap="wrap">
        <Flex direction="column" alignItems="flex-start" data-testid="whatsapp-tier">
          <Typography variant="sigma" textColor="neutral600">
            {t('whatsapp.tier', 'Messaging limit at Meta')}
          </Typography>
          <Typography>
            {!limit
              ? t('whatsapp.tier.unknown', 'not read yet')
              : limit.dailyLimit === null
                ? t('whatsapp.tier.unlimited', '{tier}: unlimited', { tier: limit.tier ?? '–' })
                : t('whatsapp.tier.value', '{tier}: {limit} citizens per 24 h', { tier: limit.tier ?? '–', limit: formatNumber(limit.dailyLimit) })}
          </Typography>
          {limit?.throughputLevel && <Typography variant="pi" textColor="neutral600">{t('whatsapp.throughput', 'Throughput: {level}', { level: limit.throughputLevel })}</Typography>}
        </Flex>
        <Flex direction="column" alignItems="flex-start" data-testid="whatsapp-api-version">
          <Typography variant="sigma" textColor="neutral600">
            {t('whatsapp.apiVersion', 'Graph API version')}
          </Typography>
          <Typography>
            {account.apiVersion.retiresOn
              ? t('whatsapp.apiVersion.retires', '{version} (retired on {date}; newest {newest})', { version: account.apiVersion.configured, date: account.apiVersion.retiresOn, newest: account.apiVersion.newest })
              : t('whatsapp.apiVersion.value', '{version} (newest {newest})', { version: account.apiVersion.configured, newest: account.apiVersion.newest })}
          </Typography>
        </Flex>
        {account.fetchedAt && (
          <Flex direction="column" alignItems="flex-start">
            <Typography variant="sigma" textColor="neutral600">
              {t('whatsapp.fetchedAt', 'Read from Meta')}
            </Typography>
            <Typography>{formatDate(account.fetchedAt, { dateStyle: 'medium', timeStyle: 'short' })}</Typography>
          </Flex>
        )}
      </Flex>
      {account.templates.length > 0 && (
        <Table colCount={4} rowCount={account.templates.length + 1}>
          <Thead>
            <Tr>
              <Th>
                <Typography variant="sigma">{t('whatsapp.template.name', 'Template')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('whatsapp.template.language', 'Language')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('whatsapp.template.status', 'Status at Meta')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('whatsapp.template.category', 'Category')}</Typography>
              </Th>
            </Tr>
          </Thead>
          <Tbody>
            {account.templates.map((template) => (
              <Tr key={`${template.name}-${template.language}`} data-testid={`whatsapp-template-${template.name}`}>
                <Td>
                  <Typography>{template.name}</Typography>
                </Td>
                <Td>
                  <Typography>{template.language}</Typography>
                </Td>
                <Td>
                  <Typography>{template.status}</Typography>
                </Td>
                <Td>
                  <Typography>{template.category ?? '–'}</Typography>
                </Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      )}
      {missing && account.businessAccountConfigured && (
        <Flex>
          <Button size="S" loading={busy} onClick={submit} data-testid="whatsapp-submit-templates">
            {t('whatsapp.templates.submit', 'Submit the missing templates to Meta')}
          </Button>
        </Flex>
      )}
    </Flex>
  );
};
