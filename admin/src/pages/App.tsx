import { Layouts, Page } from '@strapi/strapi/admin';
import { WarningDraftBanner } from '../components/OfficialWarnings';
import { Box, Tabs } from '@strapi/design-system';
import { SANDBOX_BADGE } from '../components/ui';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { PLUGIN_ID } from '../pluginId';
import { queries, useQuery } from '../api/client';
import { useT } from '../hooks/useT';
import { usePluginPermissions } from '../hooks/usePluginPermissions';
import { OverviewPage } from './OverviewPage';
import { BroadcastsPage } from './BroadcastsPage';
import { BroadcastDetailPage } from './BroadcastDetailPage';
import { InboxPage } from './InboxPage';
import { SandboxPage } from './SandboxPage';
import { ChannelsPage } from './ChannelsPage';
import { AuditPage } from './AuditPage';

type TabId = 'overview' | 'broadcasts' | 'inbox' | 'sandbox' | 'channels' | 'audit';

/**
 * The plugin page: one tab per view, each shown only when the role holds the action its API
 * needs (the routes enforce the same actions; hiding is for clarity, not security).
 */
const App = () => {
  const t = useT();
  const navigate = useNavigate();
  const location = useLocation();
  const permissions = usePluginPermissions();
  // The sandbox answers 404/400 unless a channel runs in sandbox mode; the inbox says whether it is enabled.
  const sandbox = useQuery(permissions.manageBroadcasts ? queries.outbox({ pageSize: 1 }) : null);
  const inbox = useQuery(permissions.manageInbox ? queries.inbox({ status: 'open', pageSize: 1 }) : null);

  if (permissions.isLoading) return <Page.Loading />;

  const sandboxOn = Boolean(sandbox.data);
  // `routed`: the role may open the view; `visible`: it also gets a tab (inbox enabled, sandbox on).
  const tabs: Array<{ id: TabId; label: string; routed: boolean; visible: boolean; element: JSX.Element }> = [
    { id: 'overview', label: t('tabs.overview', 'Overview'), routed: permissions.readStats, visible: true, element: <OverviewPage /> },
    { id: 'broadcasts', label: t('tabs.broadcasts', 'Broadcasts'), routed: permissions.manageBroadcasts, visible: true, element: <BroadcastsPage /> },
    { id: 'inbox', label: t('tabs.inbox', 'Inbox'), routed: permissions.manageInbox, visible: inbox.data?.meta.enabled === true, element: <InboxPage /> },
    { id: 'sandbox', label: t('tabs.sandbox', 'Sandbox phone'), routed: permissions.manageBroadcasts, visible: sandboxOn, element: <SandboxPage /> },
    { id: 'channels', label: t('tabs.channels', 'Channel status'), routed: permissions.readChannels, visible: true, element: <ChannelsPage /> },
    { id: 'audit', label: t('tabs.audit', 'Audit log'), routed: permissions.readAudit, visible: true, element: <AuditPage /> },
  ];
  const visible = tabs.filter((tab) => tab.routed && tab.visible);
  const current = (location.pathname.split(`/plugins/${PLUGIN_ID}/`)[1] ?? '').split('/')[0] as TabId | '';

  if (!permissions.readStats && !permissions.manageBroadcasts && !permissions.manageInbox && !permissions.readChannels && !permissions.readAudit) {
    return <Page.NoPermissions />;
  }
  const activeTab = visible.find((tab) => tab.id === current)?.id;

  const routes = (
    <Routes>
      <Route
        index
        element={visible[0] ? <Navigate to={visible[0].id} replace /> : sandbox.loading || inbox.loading ? <Page.Loading /> : <Page.NoPermissions />}
      />
      {/* Every view the role may use has a route, even while its tab is hidden (e.g. before the probe answers). */}
      {tabs
        .filter((tab) => tab.routed)
        .map((tab) => (
          <Route key={tab.id} path={tab.id} element={tab.element} />
        ))}
      {permissions.manageBroadcasts && <Route path="broadcasts/:documentId" element={<BroadcastDetailPage />} />}
      <Route path="*" element={<Page.Error />} />
    </Routes>
  );

  return (
    <Layouts.Root>
      <Page.Main>
        <Page.Title>{t('plugin.name', 'Town Crier')}</Page.Title>
        <Layouts.Header
          title={t('plugin.name', 'Town Crier')}
          subtitle={t('plugin.subtitle', 'Who has signed up, what was sent, and what citizens answered')}
          secondaryAction={sandboxOn ? <span style={SANDBOX_BADGE}>{t('channels.sandbox', 'Sandbox')}</span> : undefined}
        />
        <Layouts.Content>
          <WarningDraftBanner />
          {/*
            Each tab's trigger names its panel (aria-controls), so every visible tab gets a panel;
            only the current one holds the routed view. Without the panels the triggers point at
            nothing, which screen readers (and axe) report.
          */}
          <Tabs.Root value={activeTab ?? visible[0]?.id} onValueChange={(value) => navigate(`/plugins/${PLUGIN_ID}/${value}`)}>
            <Box paddingBottom={6}>
              <Tabs.List aria-label={t('plugin.name', 'Town Crier')}>
                {visible.map((tab) => (
                  <Tabs.Trigger key={tab.id} value={tab.id} data-testid={`tab-${tab.id}`}>
                    {tab.label}
                  </Tabs.Trigger>
                ))}
              </Tabs.List>
            </Box>
            {visible.map((tab) => (
              <Tabs.Content key={tab.id} value={tab.id}>
                {tab.id === activeTab ? routes : null}
              </Tabs.Content>
            ))}
          </Tabs.Root>
          {activeTab ? null : routes}
        </Layouts.Content>
      </Page.Main>
    </Layouts.Root>
  );
};

export default App;
