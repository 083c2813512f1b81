import { useEffect, useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { Box, Button, Checkbox, Field, Flex, Link as DSLink, Radio, SingleSelect, SingleSelectOption, Typography } from '@strapi/design-system';
import { useNotification } from '@strapi/strapi/admin';
import { PLUGIN_ID } from '../pluginId';
import { queries, toApiError, useAdminClient, useQuery, type FollowUpKind, type FollowUpMarkBody, type FollowUpState } from '../api/client';
import { useT } from '../hooks/useT';
import { usePluginPermissions } from '../hooks/usePluginPermissions';
import { useDateTime } from './ui';
import type { EditViewPanelProps } from './PublishPreviewPanel';

type Kind = FollowUpKind;

/**
 * Content-manager side panel "Follow-up": marks the entry as an update or all-clear
 * ("Entwarnung") of an earlier broadcast, picked from the recent ones. The mark is kept by the
 * plugin, keyed by the entry, and applied at the first publish: the news then goes to the
 * citizens who received the original (and to new subscribers of the topic only when ticked).
 * Answers null (no panel) for types the plugin does not broadcast and roles without broadcasts.manage.
 */
export const FollowUpPanel = (props: EditViewPanelProps): { title: string; content: ReactNode } | null => {
  const t = useT();
  const permissions = usePluginPermissions();
  const state = useQuery(permissions.manageBroadcasts ? queries.followUps({ uid: props.model, documentId: props.documentId || undefined }) : null);
  const { reload } = state;
  const updatedAt = props.document?.updatedAt;
  // A publish turns the mark into the broadcast: read again at once.
  useEffect(() => {
    void reload();
  }, [updatedAt, reload]);

  const data = state.data;
  if (!data) return null;
  const title = t('followUp.title', 'Follow-up');

  if (data.broadcast) {
    if (!data.broadcast.updateOf) return null;
    return {
      title,
      content: (
        <Typography variant="pi" textColor="neutral800" data-testid="town-crier-follow-up">
          {data.broadcast.followUpKind === 'all-clear'
            ? t('followUp.sentAllClear', 'Sent as the all-clear of “{title}”, to the citizens who received it.', { title: data.broadcast.original?.title ?? '' })
            : t('followUp.sentUpdate', 'Sent as an update of “{title}”, to the citizens who received it.', { title: data.broadcast.original?.title ?? '' })}{' '}
          <DSLink tag={Link} to={`/plugins/${PLUGIN_ID}/broadcasts/${data.broadcast.documentId}`}>
            {t('followUp.openThread', 'Open the story')}
          </DSLink>
        </Typography>
      ),
    };
  }

  return {
    title,
    content: props.documentId ? (
      <FollowUpForm uid={props.model} documentId={props.documentId} state={data} onSaved={reload} />
    ) : (
      <Typography variant="pi" textColor="neutral600" data-testid="town-crier-follow-up">
        {t('followUp.saveFirst', 'Save the entry to mark it as an update or all-clear of earlier news.')}
      </Typography>
    ),
  };
};

const FollowUpForm = ({ uid, documentId, state, onSaved }: { uid: string; documentId: string; state: FollowUpState; onSaved(): Promise<void> }) => {
  const t = useT();
  const dateTime = useDateTime();
  const client = useAdminClient();
  const { toggleNotification } = useNotification();
  const [original, setOriginal] = useState<string>(state.mark?.originalDocumentId ?? '');
  const [kind, setKind] = useState<Kind>(state.mark?.kind ?? 'update');
  const [includeNew, setIncludeNew] = useState<boolean>(state.mark?.includeNew ?? false);
  const [busy, setBusy] = useState(false);
  const markKey = state.mark ? `${state.mark.originalDocumentId}|${state.mark.kind}|${state.mark.includeNew}` : '';
  useEffect(() => {
    setOriginal(state.mark?.originalDocumentId ?? '');
    setKind(state.mark?.kind ?? 'update');
    setIncludeNew(state.mark?.includeNew ?? false);
  }, [markKey, state.mark]);

  const send = async (change: { mark: FollowUpMarkBody } | { unmark: { uid: string; documentId: string } }) => {
    setBusy(true);
    try {
      if ('mark' in change) await client.markFollowUp(change.mark);
      else await client.unmarkFollowUp(change.unmark);
      toggleNotification({ type: 'success', message: 'mark' in change ? t('followUp.saved', 'Saved: it goes out as a follow-up when you publish.') : t('followUp.removed', 'The entry is ordinary news again.') });
      await onSaved();
    } catch (error) {
      const { status } = toApiError(error);
      toggleNotification({
        type: 'danger',
        message: status === 409 ? t('followUp.tooLate', 'This entry has been broadcast already; it can no longer become a follow-up.') : t('actions.failed.other', 'That did not work. Please try again in a moment.'),
      });
    } finally {
      setBusy(false);
    }
  };

  const chosen = state.candidates.find((candidate) => candidate.documentId === original);
  return (
    <Flex direction="column" alignItems="stretch" gap={3} data-testid="town-crier-follow-up">
      {state.mark && chosen ? (
        <Typography variant="pi" fontWeight="semiBold" data-testid="town-crier-follow-up-mark">
          {state.mark.kind === 'all-clear'
            ? t('followUp.markedAllClear', 'Publishing sends this as the all-clear of “{title}”.', { title: chosen.title })
            : t('followUp.markedUpdate', 'Publishing sends this as an update of “{title}”.', { title: chosen.title })}{' '}
          {state.reach &&
            (state.mark.includeNew
              ? t('followUp.reachWithNew', 'It goes to the {total} citizens who received it and are still subscribed, and to new subscribers of the topic.', { total: state.reach.total })
              : t('followUp.reach', 'It goes to the {total} citizens who received it and are still subscribed, nobody else.', { total: state.reach.total }))}
        </Typography>
      ) : (
        <Typography variant="pi" textColor="neutral600">
          {t('followUp.intro', 'Is this an update or all-clear of earlier news? Then it goes only to the citizens who received that news.')}
        </Typography>
      )}
      <Field.Root name="town-crier-follow-up-original">
        <Field.Label>{t('followUp.original', 'Earlier news')}</Field.Label>
        {/* A long title would otherwise set the side panel's width (420 px on a 390 px phone): this box
            adds no width to the panel's sizing and then takes all of it, so the picker cuts the title instead. */}
        <Box style={{ width: 0, minWidth: '100%' }}>
          <SingleSelect
            value={original}
            onChange={(value: string | number) => setOriginal(String(value))}
            placeholder={t('followUp.choose', 'Choose a recent broadcast')}
            data-testid="town-crier-follow-up-select"
          >
            {state.candidates.map((candidate) => (
              <SingleSelectOption key={candidate.documentId} value={candidate.documentId}>
                {`${candidate.title} · ${dateTime(candidate.createdAt)}`}
              </SingleSelectOption>
            ))}
          </SingleSelect>
        </Box>
      </Field.Root>
      <Field.Root name="town-crier-follow-up-kind">
        <Field.Label>{t('followUp.kind', 'This is')}</Field.Label>
        <Radio.Group value={kind} onValueChange={(value: string) => setKind(value === 'all-clear' ? 'all-clear' : 'update')} aria-label={t('followUp.kind', 'This is')}>
          <Radio.Item value="update">{t('followUp.kind.update', 'An update')}</Radio.Item>
          <Radio.Item value="all-clear">{t('followUp.kind.allClear', 'An all-clear (Entwarnung)')}</Radio.Item>
        </Radio.Group>
      </Field.Root>
      <Checkbox checked={includeNew} onCheckedChange={(checked: boolean | 'indeterminate') => setIncludeNew(checked === true)}>
        {t('followUp.includeNew', 'Also to new subscribers of the topic who did not get the original')}
      </Checkbox>
      {chosen?.urgency === 'emergency' && kind === 'all-clear' && (
        <Typography variant="pi" textColor="danger700" fontWeight="bold">
          {t('followUp.urgentAllClear', 'The all-clear of an emergency goes out at once, also during quiet hours.')}
        </Typography>
      )}
      <Flex gap={2} wrap="wrap">
        <Button size="S" loading={busy} disabled={!original} onClick={() => send({ mark: { uid, documentId, originalDocumentId: original, kind, includeNew } })} data-testid="town-crier-follow-up-save">
          {t('followUp.save', 'Mark as follow-up')}
        </Button>
        {state.mark && (
          <Button size="S" variant="tertiary" loading={busy} onClick={() => send({ unmark: { uid, documentId } })}>
            {t('followUp.remove', 'Not a follow-up')}
          </Button>
        )}
      </Flex>
    </Flex>
  );
};
