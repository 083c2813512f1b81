import { useCallback, useEffect, useState } from 'react';
import { useIntl } from 'react-intl';
import { Layouts, Page, useFetchClient } from '@strapi/strapi/admin';
import { Badge, Box, Button, Flex, Table, Tbody, Td, Th, Thead, Tr, Typography, VisuallyHidden } from '@strapi/design-system';
import { PLUGIN_ID } from '../pluginId';
import { getTranslation } from '../utils/getTranslation';

interface Broadcast {
  documentId: string;
  title: string;
  broadcastStatus: string | null;
  statusReason: string | null;
  resumesAt: string | null;
  recipientsCount: number;
  sentCount: number;
  deliveredCount: number;
  readCount: number;
  failedCount: number;
}

export const BroadcastsPage = () => {
  const { formatMessage } = useIntl();
  const { get, post } = useFetchClient();
  const [broadcasts, setBroadcasts] = useState<Broadcast[] | null>(null);

  const load = useCallback(async () => {
    const { data } = await get(`/${PLUGIN_ID}/broadcasts`);
    setBroadcasts((data as { results: Broadcast[] }).results);
  }, [get]);

  useEffect(() => {
    load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, [load]);

  const act = async (documentId: string, action: 'pause' | 'resume') => {
    await post(`/${PLUGIN_ID}/broadcasts/${documentId}/${action}`);
    await load();
  };

  if (!broadcasts) return <Page.Loading />;

  return (
    <Layouts.Root>
      <Page.Main>
        <Layouts.Header
          title={formatMessage({ id: getTranslation('broadcasts.title'), defaultMessage: 'Broadcasts' })}
          subtitle={formatMessage({ id: getTranslation('broadcasts.subtitle'), defaultMessage: 'Every announcement and how far it has reached' })}
        />
        <Layouts.Content>
          {broadcasts.length === 0 ? (
            <Typography>{formatMessage({ id: getTranslation('broadcasts.empty'), defaultMessage: 'Nothing has been broadcast yet.' })}</Typography>
          ) : (
            <Table colCount={5} rowCount={broadcasts.length + 1}>
              <Thead>
                <Tr>
                  <Th><Typography variant="sigma">{formatMessage({ id: getTranslation('broadcasts.column.title'), defaultMessage: 'Title' })}</Typography></Th>
                  <Th><Typography variant="sigma">{formatMessage({ id: getTranslation('broadcasts.column.status'), defaultMessage: 'Status' })}</Typography></Th>
                  <Th><Typography variant="sigma">{formatMessage({ id: getTranslation('broadcasts.column.progress'), defaultMessage: 'Progress' })}</Typography></Th>
                  <Th><Typography variant="sigma">{formatMessage({ id: getTranslation('broadcasts.column.reason'), defaultMessage: 'Why it waits' })}</Typography></Th>
                  <Th><VisuallyHidden>Actions</VisuallyHidden></Th>
                </Tr>
              </Thead>
              <Tbody>
                {broadcasts.map((broadcast) => (
                  <Tr key={broadcast.documentId}>
                    <Td><Typography>{broadcast.title}</Typography></Td>
                    <Td><Badge>{broadcast.broadcastStatus ?? '–'}</Badge></Td>
                    <Td>
                      <Typography>
                        {broadcast.sentCount} / {broadcast.deliveredCount} / {broadcast.readCount} / {broadcast.failedCount} of {broadcast.recipientsCount}
                      </Typography>
                    </Td>
                    <Td>
                      <Typography>
                        {broadcast.statusReason ?? ''}
                        {broadcast.resumesAt ? ` → ${new Date(broadcast.resumesAt).toLocaleString()}` : ''}
                      </Typography>
                    </Td>
                    <Td>
                      <Flex gap={2}>
                        {['queued', 'sending', 'scheduled'].includes(broadcast.broadcastStatus ?? '') && (
                          <Button variant="secondary" onClick={() => act(broadcast.documentId, 'pause')}>
                            {formatMessage({ id: getTranslation('broadcasts.pause'), defaultMessage: 'Pause' })}
                          </Button>
                        )}
                        {broadcast.broadcastStatus === 'paused' && (
                          <Button onClick={() => act(broadcast.documentId, 'resume')}>
                            {formatMessage({ id: getTranslation('broadcasts.resume'), defaultMessage: 'Resume' })}
                          </Button>
                        )}
                      </Flex>
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          )}
          <Box paddingTop={4} />
        </Layouts.Content>
      </Page.Main>
    </Layouts.Root>
  );
};
