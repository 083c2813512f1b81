import { useIntl } from 'react-intl';
import { Flex, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import type { BudgetStatus, CostSummary, KindCost, MessageKind, MonthCost } from '../api/client';
import { useT } from '../hooks/useT';
import { Panel } from './ui';

/** Meta's pricing categories in plain words; an unknown one is shown as Meta names it. */
function useCategoryLabel() {
  const t = useT();
  return (category: string) => {
    switch (category) {
      case 'marketing':
        return t('cost.category.marketing', 'Marketing');
      case 'utility':
        return t('cost.category.utility', 'Utility');
      case 'authentication':
        return t('cost.category.authentication', 'Authentication');
      case 'service':
        return t('cost.category.service', 'Service');
      default:
        return category;
    }
  };
}

/** What each kind of message is, in the town's words. */
function useKindLabel() {
  const t = useT();
  return (kind: MessageKind) => {
    switch (kind) {
      case 'news':
        return t('cost.kind.news', 'News');
      case 'confirmation':
        return t('cost.kind.confirmation', 'Sign-up confirmations');
      case 'interim-reply':
        return t('cost.kind.interim-reply', 'Interim replies');
      case 'keyword-answer':
        return t('cost.kind.keyword-answer', 'Keyword answers');
      case 'stop-receipt':
        return t('cost.kind.stop-receipt', 'STOP receipts');
      case 'staff-reply':
        return t('cost.kind.staff-reply', 'Staff replies');
      default:
        return t('cost.kind.other', 'Other');
    }
  };
}

const RatesNote = ({ cost }: { cost: CostSummary }) => {
  const t = useT();
  return (
    <Typography variant="pi" textColor="neutral600">
      {t('cost.ratesNote', 'Estimate from the rate table ({source}, as of {date}); Meta’s invoice is what counts.', { source: cost.ratesSource, date: cost.ratesAsOf })}
    </Typography>
  );
};

/** Broadcast detail: billable WhatsApp messages and their cost by Meta's category. */
export const BroadcastCostPanel = ({ cost }: { cost: CostSummary | null }) => {
  const t = useT();
  const { formatNumber } = useIntl();
  const label = useCategoryLabel();
  if (!cost) return null;
  const money = (value: number) => formatNumber(value, { style: 'currency', currency: cost.currency, maximumFractionDigits: 4 });
  return (
    <Panel title={t('cost.broadcast.title', 'WhatsApp cost')} testId="detail-cost">
      <Flex direction="column" alignItems="stretch" gap={3}>
        <Typography data-testid="detail-cost-total">
          {t('cost.broadcast.total', '{messages} billable messages, about {cost}', { messages: formatNumber(cost.billableMessages), cost: money(cost.cost) })}
        </Typography>
        {cost.byCategory.length > 0 && (
          <Table colCount={3} rowCount={cost.byCategory.length + 1}>
            <Thead>
              <Tr>
                <Th>
                  <Typography variant="sigma">{t('cost.category', 'Category')}</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">{t('cost.messages', 'Billable messages')}</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">{t('cost.amount', 'Cost')}</Typography>
                </Th>
              </Tr>
            </Thead>
            <Tbody>
              {cost.byCategory.map((entry) => (
                <Tr key={entry.category} data-testid={`cost-${entry.category}`}>
                  <Td>
                    <Typography>{label(entry.category)}</Typography>
                  </Td>
                  <Td>
                    <Typography>{formatNumber(entry.messages)}</Typography>
                  </Td>
                  <Td>
                    <Typography>{entry.cost === null ? t('cost.noRate', 'no rate in the table') : money(entry.cost)}</Typography>
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        )}
        <RatesNote cost={cost} />
      </Flex>
    </Panel>
  );
};

/** Overview: cost per month of the last months, the current one last. */
export const MonthlyCostPanel = ({ months }: { months: MonthCost[] }) => {
  const t = useT();
  const { formatNumber, formatDate } = useIntl();
  if (!months.length) return null;
  const shown = months.slice(-6);
  const latest = months[months.length - 1];
  const money = (value: number) => formatNumber(value, { style: 'currency', currency: latest.currency, maximumFractionDigits: 2 });
  return (
    <Panel title={t('cost.months.title', 'WhatsApp cost per month')} testId="cost-per-month">
      <Flex direction="column" alignItems="stretch" gap={3}>
        <Flex gap={6} wrap="wrap">
          {shown.map((month) => (
            <Flex key={month.month} direction="column" alignItems="flex-start" data-testid={`cost-month-${month.month}`}>
              <Typography variant="sigma" textColor="neutral600">
                {formatDate(`${month.month}-15T12:00:00Z`, { month: 'short', year: 'numeric' })}
              </Typography>
              <Typography variant="beta" tag="p">
                {money(month.cost)}
              </Typography>
              <Typography variant="pi" textColor="neutral600">
                {t('cost.months.messages', '{messages} billable', { messages: formatNumber(month.billableMessages) })}
              </Typography>
            </Flex>
          ))}
        </Flex>
        <RatesNote cost={latest} />
      </Flex>
    </Panel>
  );
};

/** The month's messages by kind: how many Meta priced, how many it bills, and what they cost at the town's rates. */
const KindTable = ({ byKind, money }: { byKind: KindCost[]; money: (value: number) => string }) => {
  const t = useT();
  const { formatNumber } = useIntl();
  const label = useKindLabel();
  const shown = byKind.filter((entry) => entry.messages > 0);
  if (!shown.length) return null;
  return (
    <Table colCount={4} rowCount={shown.length + 1}>
      <Thead>
        <Tr>
          <Th>
            <Typography variant="sigma">{t('cost.kind', 'Kind')}</Typography>
          </Th>
          <Th>
            <Typography variant="sigma">{t('cost.kind.priced', 'Messages priced by Meta')}</Typography>
          </Th>
          <Th>
            <Typography variant="sigma">{t('cost.messages', 'Billable messages')}</Typography>
          </Th>
          <Th>
            <Typography variant="sigma">{t('cost.amount', 'Cost')}</Typography>
          </Th>
        </Tr>
      </Thead>
      <Tbody>
        {shown.map((entry) => (
          <Tr key={entry.kind} data-testid={`cost-kind-${entry.kind}`}>
            <Td>
              <Typography>{label(entry.kind)}</Typography>
            </Td>
            <Td>
              <Typography>{formatNumber(entry.messages)}</Typography>
            </Td>
            <Td>
              <Typography>{formatNumber(entry.billableMessages)}</Typography>
            </Td>
            <Td>
              <Typography>{money(entry.cost)}</Typography>
            </Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
};

/**
 * Overview: the month so far against the budget, the forecast, the thresholds (mailed or not) and
 * the month's messages by kind. Counts and categories are Meta's; the money is the town's rate table.
 */
export const BudgetPanel = ({ budget, latest }: { budget: BudgetStatus; latest: MonthCost | undefined }) => {
  const t = useT();
  const { formatNumber, formatDate } = useIntl();
  const money = (value: number) => formatNumber(value, { style: 'currency', currency: budget.currency, maximumFractionDigits: 2 });
  const month = formatDate(`${budget.month}-15T12:00:00Z`, { month: 'long', year: 'numeric' });
  const over = budget.amount !== null && budget.spent >= budget.amount;
  return (
    <Panel title={t('budget.title', 'WhatsApp this month')} testId="whatsapp-budget">
      <Flex direction="column" alignItems="stretch" gap={3}>
        <Typography data-testid="budget-spent" textColor={over ? 'danger700' : undefined}>
          {budget.amount === null
            ? t('budget.spentNoBudget', '{month} so far: {spent}. No monthly budget is set.', { month, spent: money(budget.spent) })
            : t('budget.spent', '{month} so far: {spent} of {amount} ({percent} %), {remaining} left.', {
                month,
                spent: money(budget.spent),
                amount: money(budget.amount),
                percent: formatNumber(budget.percentUsed ?? 0),
                remaining: money(budget.remaining ?? 0),
              })}
        </Typography>
        <Typography data-testid="budget-forecast">{t('budget.forecast', 'Forecast for the whole month: {forecast}.', { forecast: money(budget.forecast) })}</Typography>
        {budget.amount !== null && budget.thresholds.length > 0 && (
          <Typography variant="pi" textColor="neutral600" data-testid="budget-thresholds">
            {t('budget.thresholds', 'The admins get an e-mail at {thresholds} % of the budget, once each per month; sent so far: {mailed}.', {
              thresholds: budget.thresholds.join(', '),
              mailed: budget.mailedThresholds.length ? budget.mailedThresholds.map((value) => `${value} %`).join(', ') : t('budget.noneMailed', 'none'),
            })}
          </Typography>
        )}
        <KindTable byKind={budget.byKind} money={money} />
        <Typography variant="pi" textColor="neutral600">
          {t('budget.source', 'Which messages Meta bills, and in which category, is what Meta says in its status webhooks for each message; the price per category is the town’s rate table.')}
        </Typography>
        {latest && <RatesNote cost={latest} />}
      </Flex>
    </Panel>
  );
};
