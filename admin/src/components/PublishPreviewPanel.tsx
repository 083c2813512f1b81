import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useIntl } from 'react-intl';
import { Link } from 'react-router-dom';
import { Flex, Link as DSLink, Typography } from '@strapi/design-system';
import { useDebounce, useForm } from '@strapi/strapi/admin';
import { PLUGIN_ID } from '../pluginId';
import { OPEN_RUN_STATES, isStateIn, urgencyOf } from '../../../shared/contracts/broadcasts';
import { queries, useQuery, type PublishPreview } from '../api/client';
import { useT } from '../hooks/useT';
import { usePluginPermissions } from '../hooks/usePluginPermissions';
import { useReasonLabel } from '../hooks/useReasonLabel';
import { BroadcastProgress, StatusBadge, channelName } from './ui';
import { WhatsappMessageText } from './WhatsappMessage';
import { OfficialWarningOriginLines } from './OfficialWarnings';
import { AccountPostCards, WhatsappChannelHandoffPanel, WhatsappChannelText } from './AccountPosts';
import { approvalPreviewText } from './Approval';

/** The part of the content manager's edit-view context this panel reads. */
export interface EditViewPanelProps {
  model: string;
  documentId?: string;
  document?: { locale?: string | null; updatedAt?: string | null } & Record<string, unknown>;
  activeTab: 'draft' | 'published' | null;
  collectionType: string;
}

/**
 * The mapped fields per content type, once a preview named them: a panel mounted again (the
 * phone layout moves it into a drawer) follows the form from its first request.
 */
const MAPPED_FIELDS = new Map<string, PublishPreview['fields']>();

/**
 * Content-manager side panel: what Publish will do for this entry, and after publishing, how
 * far its broadcast got. Registered for every content type; it answers null (no panel) for
 * types the plugin does not broadcast, for roles without broadcasts.manage, and while loading.
 */
export const PublishPreviewPanel = (props: EditViewPanelProps): { title: string; content: ReactNode } | null => {
  const t = useT();
  const { formatNumber, formatTime } = useIntl();
  const permissions = usePluginPermissions();
  const reasonLabel = useReasonLabel();
  const [fields, setFields] = useState<PublishPreview['fields']>(() => MAPPED_FIELDS.get(props.model));
  const form = useFormFollower(fields);
  const query = {
    uid: props.model,
    documentId: props.documentId || undefined,
    locale: props.document?.locale ? String(props.document.locale) : undefined,
    topic: form.topic,
    villages: form.villages,
    urgency: form.urgency,
  };
  const [settled, setSettled] = useState(false);
  // Nothing to follow on a type the plugin does not broadcast, or once the broadcast has ended.
  const preview = useQuery(permissions.manageBroadcasts ? queries.preview(query) : null, {
    pollMs: settled ? undefined : 10_000,
  });
  const nowSettled =
    preview.data?.reason === 'not-mapped' || (preview.data?.announcement != null && !isStateIn(OPEN_RUN_STATES, preview.data.announcement.broadcastStatus));
  useEffect(() => setSettled(nowSettled), [nowSettled]);
  const { reload } = preview;
  const updatedAt = props.document?.updatedAt;
  // A save or publish changes updatedAt: read the preview again at once rather than at the next poll.
  const seenUpdatedAt = useRef(updatedAt);
  useEffect(() => {
    if (seenUpdatedAt.current === updatedAt) return;
    seenUpdatedAt.current = updatedAt;
    reload();
  }, [updatedAt, reload]);

  const data = preview.data;
  // Once the server named the mapped fields, the panel reads them from the form.
  const mappedFields = data?.fields;
  useEffect(() => {
    if (mappedFields && (mappedFields.topics !== fields?.topics || mappedFields.urgency !== fields?.urgency || mappedFields.villages !== fields?.villages)) {
      MAPPED_FIELDS.set(props.model, mappedFields);
      setFields(mappedFields);
    }
  }, [mappedFields, fields, props.model]);
  if (!data || data.reason === 'not-mapped') return null;
  const title = t('panel.title', 'Town Crier');

  if (data.announcement) {
    const announcement = data.announcement;
    return {
      title,
      content: (
        <Flex direction="column" alignItems="stretch" gap={2} data-testid="town-crier-panel">
          <Flex gap={2}>
            <Typography variant="omega">{t('panel.broadcast', 'Broadcast')}</Typography>
            <StatusBadge status={announcement.broadcastStatus} />
          </Flex>
          <BroadcastProgress counters={announcement} compact />
          {announcement.statusReason && isStateIn(OPEN_RUN_STATES, announcement.broadcastStatus) && (
            <Typography variant="pi" textColor="neutral600">
              {reasonLabel(announcement.statusReason)}
              {announcement.resumesAt ? ` · ${t('panel.until', 'until {time}', { time: formatTime(announcement.resumesAt) })}` : ''}
            </Typography>
          )}
          {(announcement.waiting ?? 0) > 0 && isStateIn(OPEN_RUN_STATES, announcement.broadcastStatus) && (
            <Typography variant="pi" textColor="neutral600" data-testid="town-crier-panel-waiting">
              {t('panel.waiting', '{waiting} of {total} recipients are still waiting.', { waiting: announcement.waiting, total: announcement.recipients })}
            </Typography>
          )}
          <WhatsappChannelHandoffPanel documentId={announcement.documentId} compact />
          <DSLink tag={Link} to={`/plugins/${PLUGIN_ID}/broadcasts/${announcement.documentId}`}>
            {isStateIn(OPEN_RUN_STATES, announcement.broadcastStatus) ? t('panel.follow', 'Follow the broadcast') : t('panel.open', 'Open the broadcast')}
          </DSLink>
        </Flex>
      ),
    };
  }

  if (!data.broadcasts) {
    return {
      title,
      content: (
        <Typography variant="pi" textColor="neutral600" data-testid="town-crier-panel">
          {data.reason === 'skip-flag'
            ? t('panel.skip', 'Publishing will not send a message: this entry is marked not to be broadcast.')
            : t('panel.already', 'This entry has been broadcast already; publishing again sends nothing.')}
        </Typography>
      ),
    };
  }

  const channels = Object.entries(data.recipients.byChannel).filter(([, count]) => count > 0);
  const channelList = channels.map(([channel]) => channelName(channel)).join(', ') || channelName('whatsapp');
  const values = { total: data.recipients.total, channels: channelList, topic: data.topic?.name ?? '' };
  const limited = Object.entries(data.dailyLimit).filter(([, limit]) => limit.later > 0);
  const languageName = (code: string) =>
    code === 'en' ? t('panel.language.en', 'in English') : code === 'de-x-ls' ? t('panel.language.de-x-ls', 'in Leichte Sprache') : code === 'de' ? t('panel.language.de', 'in German') : code;
  const approval = approvalPreviewText(t, data.approval);
  // Worth a line only when someone reads another language than the rest: "17 in English".
  const languages = Object.entries(data.recipientsByLanguage ?? {}).filter(([, count]) => count > 0);

  return {
    title,
    content: (
      <Flex direction="column" alignItems="stretch" gap={2} data-testid="town-crier-panel">
        {data.officialWarning && <OfficialWarningOriginLines origin={data.officialWarning} />}
        <Typography variant="omega" data-testid="town-crier-panel-summary">
          {data.recipients.total === 0
            ? t('panel.nobody', 'Publishing sends nothing yet: no subscriber follows this topic.')
            : data.topic
              ? t('panel.goesToTopic', 'Publishing sends this to {total} subscribers on {channels}, topic {topic}.', values)
              : t('panel.goesTo', 'Publishing sends this to {total} subscribers on {channels}.', values)}
        </Typography>
        {approval && (
          <Flex direction="column" alignItems="stretch" gap={1} background="warning100" padding={2} hasRadius data-testid="town-crier-panel-approval">
            <Typography variant="pi" fontWeight="bold" textColor="neutral800">
              {approval.text}
            </Typography>
            <Typography variant="pi" textColor="neutral800">
              {approval.who}
            </Typography>
          </Flex>
        )}
        {data.villages && data.recipients.total > 0 && (
          <Typography variant="pi" textColor="neutral800" data-testid="town-crier-panel-villages">
            {data.villages.selected.length
              ? t('panel.villages', 'Goes to {total} in {villages}: {split}; {wholeTown} of them chose the whole town.', {
                  total: data.recipients.total,
                  villages: joinNames(data.villages.selected.map((village) => village.name), t('panel.villages.and', 'and')),
                  split: data.villages.selected.map((village) => `${village.name} ${village.recipients}`).join(', '),
                  wholeTown: data.villages.wholeTown,
                })
              : t('panel.villages.wholeTown', 'For the whole town: every village.')}
          </Typography>
        )}
        {data.villages?.unmatched.length ? (
          <Typography variant="pi" textColor="warning700" data-testid="town-crier-panel-unmatched-village">
            {t('panel.unmatchedVillage', 'No village is called “{values}”: it is left out. Without a known village the news goes to the whole town.', {
              values: data.villages.unmatched.join('”, “'),
            })}
          </Typography>
        ) : null}
        {languages.length > 1 && (
          <Typography variant="pi" textColor="neutral600" data-testid="town-crier-panel-languages">
            {t('panel.byLanguage', 'Each gets it once, in their language: {list}.', {
              list: languages.map(([code, count]) => `${formatNumber(count)} ${languageName(code)}`).join(', '),
            })}
          </Typography>
        )}
        {form.urgency === 'emergency' && (
          <Typography variant="pi" textColor="danger700" fontWeight="bold" data-testid="town-crier-panel-urgency">
            {t('panel.emergency', 'Emergency: it goes out at once, also during quiet hours.')}
          </Typography>
        )}
        {data.broadcasts && data.whatsappCost?.cost != null && data.whatsappCost.messages > 0 && (
          <Typography variant="pi" textColor="neutral600" data-testid="town-crier-panel-cost">
            {t('panel.cost', 'WhatsApp: at most {cost} ({messages} {category} messages at the town’s rate).', {
              cost: formatNumber(data.whatsappCost.cost, { style: 'currency', currency: data.whatsappCost.currency, maximumFractionDigits: 2 }),
              messages: data.whatsappCost.messages,
              category: data.whatsappCost.category,
            })}
          </Typography>
        )}
        {data.broadcasts && data.whatsappBudget && data.whatsappBudget.remaining !== null && data.whatsappBudget.estimate > 0 && (
          <Typography variant="pi" textColor={data.whatsappBudget.wouldExceed ? 'danger700' : 'neutral600'} data-testid="town-crier-panel-budget">
            {(data.whatsappBudget.wouldExceed
              ? t('panel.budget.over', 'This is more than the {remaining} left of this month’s WhatsApp budget.', {
                  remaining: formatNumber(data.whatsappBudget.remaining, { style: 'currency', currency: data.whatsappBudget.currency, maximumFractionDigits: 2 }),
                })
              : t('panel.budget.within', '{remaining} are left of this month’s WhatsApp budget.', {
                  remaining: formatNumber(data.whatsappBudget.remaining, { style: 'currency', currency: data.whatsappBudget.currency, maximumFractionDigits: 2 }),
                }))}
          </Typography>
        )}
        {data.broadcasts && data.whatsappMessage && (
          <div style={{ background: '#ece5dd', borderRadius: 8, padding: 8, width: '100%' }} data-testid="town-crier-panel-whatsapp">
            <Typography variant="pi" textColor="neutral800" style={{ display: 'block', marginBottom: 4 }}>
              {t('panel.whatsappMessage', 'On WhatsApp citizens read:')}
            </Typography>
            <div style={{ background: '#ffffff', borderRadius: '0 8px 8px 8px', padding: '6px 8px' }}>
              <WhatsappMessageText preview={data.whatsappMessage} />
            </div>
            {data.whatsappMessage.buttons.map((button) => (
              <div key={button.title} style={{ background: '#ffffff', borderRadius: 8, marginTop: 4, padding: 6, textAlign: 'center', color: '#0b7cc1', fontSize: 13 }}>
                {button.title}
              </div>
            ))}
          </div>
        )}
        {data.broadcasts && data.accountPosts?.length ? <AccountPostCards posts={data.accountPosts} /> : null}
        {data.broadcasts && data.whatsappChannelText && (
          <div data-testid="town-crier-panel-whatsapp-channel">
            <Typography variant="pi" textColor="neutral800" style={{ display: 'block', marginBottom: 4 }}>
              {t('panel.whatsappChannel', 'For the town’s WhatsApp Channel (posted by hand after publishing):')}
            </Typography>
            <WhatsappChannelText text={data.whatsappChannelText} />
          </div>
        )}
        {data.recipients.total > 0 && form.urgency !== 'emergency' && (
          <Typography variant="pi" textColor="neutral600" data-testid="town-crier-panel-starts">
            {data.startsAt?.reason === 'quiet-hours' && data.startsAt.at
              ? t('panel.startsQuiet', 'It goes out at {time}, when the quiet hours end.', { time: formatTime(data.startsAt.at) })
              : data.startsAt?.at
                ? t('panel.startsAfterGrace', 'It goes out at {time}, after a short delay to allow corrections.', { time: formatTime(data.startsAt.at) })
                : t('panel.startsNow', 'It goes out now.')}
          </Typography>
        )}
        {data.unmatchedTopics?.length ? (
          <Typography variant="pi" textColor="warning700" data-testid="town-crier-panel-unmatched-topic">
            {t('panel.unmatchedTopic', 'No topic is called “{values}”: the news goes to every subscriber. Create the topic or choose another one.', {
              values: data.unmatchedTopics.join('”, “'),
            })}
          </Typography>
        ) : null}
        {data.missingLinkFields?.length ? (
          <Typography variant="pi" textColor="warning700" data-testid="town-crier-panel-missing-link">
            {t('panel.missingLink', 'The link to the article is incomplete: {fields} is empty. Fill it in before publishing.', {
              fields: data.missingLinkFields.join(', '),
            })}
          </Typography>
        ) : null}
        {limited.map(([channel, limit]) => (
          <Typography key={channel} variant="pi" textColor="neutral800" fontWeight="semiBold" data-testid="town-crier-panel-limit">
            {t('panel.dailyLimit', '{channel}: {now} today, the other {later} tomorrow because of the daily limit.', {
              channel: channelName(channel),
              now: limit.sendableNow,
              later: limit.later,
            })}
          </Typography>
        ))}
        <Typography variant="pi" textColor="neutral600" data-testid="town-crier-panel-form">
          {form.following
            ? t('panel.followsForm', 'Counted from the form as it is now, unsaved changes included.')
            : t('panel.savedOnly', 'Counted from the saved entry: save to see what a changed topic does.')}
        </Typography>
      </Flex>
    ),
  };
};

/** "Dakendorf, Gnissau und Hobbersdorf". */
const joinNames = (names: string[], and: string) => (names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} ${and} ${names[names.length - 1]}`);

/**
 * The edit form's current topic and urgency, unsaved changes included, through the content
 * manager's form context (`useForm` of @strapi/strapi/admin; Strapi 5 renders side panels inside
 * the edit form). `following` is false where it can't: outside a form, or when the topic is a
 * relation, whose form value holds only the changes (connect/disconnect), not the chosen topics.
 * A typed topic is read after a short pause, not on every key.
 */
function useFormFollower(fields: PublishPreview['fields']) {
  const values = useForm('TownCrierPublishPreview', (state) => state.values, false) as Record<string, unknown> | undefined;
  const topicValue = values && fields?.topics ? values[fields.topics] : undefined;
  const topicReadable = fields?.topics ? typeof topicValue === 'string' || topicValue === null || topicValue === undefined : true;
  const rawTopic = values && fields?.topics && topicReadable ? ((topicValue as string | null | undefined) ?? '') : undefined;
  const topic = useDebounce(rawTopic, 400);
  const urgencyValue = values && fields?.urgency ? values[fields.urgency] : undefined;
  // A village field typed as text ("Dakendorf, Gnissau") is followed; a relation, as for topics, is not.
  const villageValue = values && fields?.villages ? values[fields.villages] : undefined;
  const villagesReadable = typeof villageValue === 'string' || villageValue === null;
  const villages = useDebounce(values && fields?.villages && villagesReadable ? ((villageValue as string | null) ?? '') : undefined, 400);
  return {
    topic,
    villages,
    urgency: urgencyOf(urgencyValue) ?? undefined,
    following: Boolean(values && fields && topicReadable),
  };
}
