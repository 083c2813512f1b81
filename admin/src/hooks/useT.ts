import { useCallback } from 'react';
import { useIntl } from 'react-intl';
import { getTranslation } from '../utils/getTranslation';

type Values = Record<string, string | number | Date | null | undefined>;

/**
 * `t('overview.active', 'Active')`: the id is prefixed with the plugin id and the English text
 * is the default. tests/unit/admin-translations.test.ts checks every id used here exists in
 * both en.json and de.json.
 */
export function useT() {
  const { formatMessage } = useIntl();
  return useCallback(
    (id: string, defaultMessage: string, values?: Values) =>
      formatMessage({ id: getTranslation(id), defaultMessage }, values as Record<string, string | number>),
    [formatMessage]
  );
}
