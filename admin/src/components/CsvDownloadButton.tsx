import { useState, type ReactNode } from 'react';
import { useNotification } from '@strapi/strapi/admin';
import { Button } from '@strapi/design-system';
import { Download } from '@strapi/icons';
import { toApiError } from '../api/client';

/**
 * A CSV export button (statistics, audit trail). The admin token is a bearer header, so a plain
 * link cannot download: the file is fetched, then handed to the browser under `fileName` plus
 * today's date.
 */
export const CsvDownloadButton = ({ fetchCsv, fileName, label, testId }: { fetchCsv: () => Promise<Blob>; fileName: string; label: ReactNode; testId: string }) => {
  const { toggleNotification } = useNotification();
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      const url = URL.createObjectURL(await fetchCsv());
      const link = document.createElement('a');
      link.href = url;
      link.download = `${fileName}-${new Date().toISOString().slice(0, 10)}.csv`;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      toggleNotification({ type: 'danger', message: toApiError(error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button size="S" variant="secondary" startIcon={<Download />} onClick={download} loading={busy} data-testid={testId}>
      {label}
    </Button>
  );
};
