import { z } from 'zod';
import { idColumn, nullable, optionalDateColumn, parserOf } from '../database/row';
import { WARNING_SOURCES } from '../../../shared/contracts/warnings';

/** A `town_crier_warning_sources` row (a source's validators and failures), parsed once where it is read. */
const warningSourceRow = z.object({
  id: idColumn,
  source: z.enum(WARNING_SOURCES),
  etag: nullable(z.string()),
  lastModified: nullable(z.string()),
  lastSuccessAt: optionalDateColumn,
  failingSince: optionalDateColumn,
  lastError: nullable(z.string()),
});
export type SourceRow = z.infer<typeof warningSourceRow>;

export const sourceFromRow: (raw: unknown) => SourceRow = parserOf('warning source', warningSourceRow);
