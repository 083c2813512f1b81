import { useIntl } from 'react-intl';
import { Flex, Typography } from '@strapi/design-system';
import type { GrowthDay } from '../api/client';
import { useT } from '../hooks/useT';

const WIDTH = 760;
const TOP_HEIGHT = 200;
const BAR_HEIGHT = 70;
const GAP = 18;
const LEFT = 52;
const RIGHT = 12;
const TOP = 10;
const AXIS = 22;
const HEIGHT = TOP + TOP_HEIGHT + GAP + BAR_HEIGHT + AXIS;

// Text colours reach 4.5:1 on white (the target's orange was 2.8:1); the bars keep their hues.
const COLOURS = { active: '#4945ff', target: '#9c4a00', signups: '#2f8a4c', withdrawals: '#d02b20', grid: '#eaeaef', text: '#595974' };

/**
 * Below this share of the target the line would hug zero on an axis that reaches the target, so
 * the axis follows the subscribers and the target becomes a label above the plot.
 */
const TARGET_ON_SCALE_SHARE = 0.4;

/** Rounds an axis maximum up to 1, 2 or 5 times a power of ten so the tick labels are even. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((factor) => factor * power >= value) as number;
  return step * power;
}

/**
 * Plain SVG: the cumulative active line against the target in the upper part, and the daily
 * sign-ups (up) and withdrawals (down) as bars in the lower part, each with its own scale
 * because a day's changes are tiny next to the total.
 */
export const GrowthChart = ({ days, target }: { days: GrowthDay[]; target: number }) => {
  const t = useT();
  const { formatNumber, formatDate } = useIntl();
  const plotWidth = WIDTH - LEFT - RIGHT;
  const count = days.length;
  const x = (index: number) => LEFT + (count <= 1 ? plotWidth / 2 : (index / (count - 1)) * plotWidth);

  const highest = Math.max(0, ...days.map((day) => day.active));
  const targetOnScale = target > 0 && highest >= target * TARGET_ON_SCALE_SHARE;
  const activeMax = niceMax(Math.max(targetOnScale ? target : 0, highest, 1) * 1.05);
  const yActive = (value: number) => TOP + TOP_HEIGHT - (value / activeMax) * TOP_HEIGHT;

  const barTop = TOP + TOP_HEIGHT + GAP;
  const barMid = barTop + BAR_HEIGHT / 2;
  const dailyMax = niceMax(Math.max(1, ...days.map((day) => Math.max(day.signups, day.withdrawals))));
  const barScale = (value: number) => (value / dailyMax) * (BAR_HEIGHT / 2);
  const barWidth = Math.max(1, Math.min(10, (plotWidth / Math.max(count, 1)) * 0.6));

  const activePath = days.map((day, index) => `${index === 0 ? 'M' : 'L'}${x(index).toFixed(1)},${yActive(day.active).toFixed(1)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((share) => share * activeMax);
  const labelEvery = Math.max(1, Math.ceil(count / 6));
  const dayLabel = (day: string) => formatDate(`${day}T12:00:00Z`, { day: '2-digit', month: '2-digit', timeZone: 'UTC' });
  const last = days[count - 1];

  const title = t('chart.title', 'Subscribers over the last {days} days', { days: count });
  const totals = days.reduce((sum, day) => ({ signups: sum.signups + day.signups, withdrawals: sum.withdrawals + day.withdrawals }), { signups: 0, withdrawals: 0 });

  return (
    <Flex direction="column" alignItems="stretch" gap={2}>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        role="img"
        aria-label={title}
        data-testid="growth-chart"
        data-target-on-scale={targetOnScale}
        data-axis-max={activeMax}
        data-last-active={last?.active ?? 0}
        data-signups={totals.signups}
        data-withdrawals={totals.withdrawals}
        style={{ maxHeight: 360, fontFamily: 'inherit' }}
      >
        <title>{title}</title>
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={yActive(tick)} y2={yActive(tick)} stroke={COLOURS.grid} />
            <text x={LEFT - 6} y={yActive(tick) + 4} textAnchor="end" fontSize="11" fill={COLOURS.text}>
              {formatNumber(Math.round(tick))}
            </text>
          </g>
        ))}
        {target > 0 && !targetOnScale && (
          <text x={WIDTH - RIGHT - 4} y={TOP + 11} textAnchor="end" fontSize="12" fill={COLOURS.target} data-testid="growth-chart-target-label">
            {t('chart.targetAbove', 'Target {value}: above this scale ↑', { value: formatNumber(target) })}
          </text>
        )}
        {targetOnScale && (
          <g data-testid="growth-chart-target">
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={yActive(target)} y2={yActive(target)} stroke={COLOURS.target} strokeWidth="2" strokeDasharray="6 4" />
            <text x={WIDTH - RIGHT - 4} y={yActive(target) - 5} textAnchor="end" fontSize="12" fill={COLOURS.target}>
              {t('chart.target', 'Target {value}', { value: formatNumber(target) })}
            </text>
          </g>
        )}
        {count > 0 && <path d={activePath} fill="none" stroke={COLOURS.active} strokeWidth="2.5" strokeLinejoin="round" />}
        {count === 1 && <circle cx={x(0)} cy={yActive(days[0].active)} r="4" fill={COLOURS.active} />}

        <line x1={LEFT} x2={WIDTH - RIGHT} y1={barMid} y2={barMid} stroke={COLOURS.grid} />
        <text x={LEFT - 6} y={barTop + 8} textAnchor="end" fontSize="10" fill={COLOURS.text}>
          +{formatNumber(dailyMax)}
        </text>
        <text x={LEFT - 6} y={barTop + BAR_HEIGHT} textAnchor="end" fontSize="10" fill={COLOURS.text}>
          −{formatNumber(dailyMax)}
        </text>
        {days.map((day, index) => (
          <g key={day.day}>
            {day.signups > 0 && (
              <rect x={x(index) - barWidth / 2} y={barMid - barScale(day.signups)} width={barWidth} height={barScale(day.signups)} fill={COLOURS.signups}>
                <title>{`${day.day}: +${day.signups}`}</title>
              </rect>
            )}
            {day.withdrawals > 0 && (
              <rect x={x(index) - barWidth / 2} y={barMid} width={barWidth} height={barScale(day.withdrawals)} fill={COLOURS.withdrawals}>
                <title>{`${day.day}: −${day.withdrawals}`}</title>
              </rect>
            )}
            {index % labelEvery === 0 && (
              <text x={x(index)} y={HEIGHT - 6} textAnchor="middle" fontSize="11" fill={COLOURS.text}>
                {dayLabel(day.day)}
              </text>
            )}
          </g>
        ))}
      </svg>
      <Flex gap={4} wrap="wrap">
        <LegendItem colour={COLOURS.active} text={t('chart.active', 'Active subscribers (cumulative)')} />
        <LegendItem colour={COLOURS.target} text={t('chart.targetLine', 'Target')} dashed />
        <LegendItem colour={COLOURS.signups} text={t('chart.signups', 'Sign-ups per day: {count} in total', { count: totals.signups })} />
        <LegendItem colour={COLOURS.withdrawals} text={t('chart.withdrawals', 'Withdrawals per day: {count} in total', { count: totals.withdrawals })} />
      </Flex>
      {/* The same figures as a table: for screen readers, and for anyone who wants the numbers. */}
      <details data-testid="growth-table">
        <summary style={{ cursor: 'pointer', minHeight: 24 }}>
          <Typography variant="pi" fontWeight="bold">
            {t('chart.table.show', 'Show the figures as a table')}
          </Typography>
        </summary>
        <div style={{ maxHeight: 320, overflowY: 'auto' }}>
          <table style={{ width: '100%', borderCollapse: 'collapse', fontSize: 13 }}>
            <caption style={{ textAlign: 'left', padding: '4px 0' }}>{title}</caption>
            <thead>
              <tr>
                {[t('chart.table.day', 'Day'), t('chart.active', 'Active subscribers (cumulative)'), t('chart.table.signups', 'Sign-ups'), t('chart.table.withdrawals', 'Withdrawals')].map((heading) => (
                  <th key={heading} scope="col" style={{ textAlign: 'left', borderBottom: '1px solid #dcdce4', padding: '4px 8px' }}>
                    {heading}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[...days].reverse().map((day) => (
                <tr key={day.day}>
                  <th scope="row" style={{ textAlign: 'left', fontWeight: 400, padding: '2px 8px' }}>
                    {formatDate(`${day.day}T12:00:00Z`, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' })}
                  </th>
                  <td style={{ padding: '2px 8px' }}>{formatNumber(day.active)}</td>
                  <td style={{ padding: '2px 8px' }}>{formatNumber(day.signups)}</td>
                  <td style={{ padding: '2px 8px' }}>{formatNumber(day.withdrawals)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </Flex>
  );
};

const LegendItem = ({ colour, text, dashed }: { colour: string; text: string; dashed?: boolean }) => (
  <Flex gap={1}>
    <svg width="18" height="10" aria-hidden>
      <line x1="0" x2="18" y1="5" y2="5" stroke={colour} strokeWidth="3" strokeDasharray={dashed ? '4 3' : undefined} />
    </svg>
    <Typography variant="pi">{text}</Typography>
  </Flex>
);
