import { useIntl } from 'react-intl';
import { Flex, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import type { CostSummary, MonthCost } from '../api/client';
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
export const MonthlyCostPanel = ({ months }: { months: MonthCost[] | undefined }) => {
  const t = useT();
  const { formatNumber, formatDate } = useIntl();
  if (!months?.length) return null;
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
