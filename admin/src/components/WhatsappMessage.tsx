import { Typography } from '@strapi/design-system';
import type { RenderedWhatsappPreview } from '../api/client';
import { useT } from '../hooks/useT';

/**
 * A WhatsApp message's text as the server rendered it (the server's WhatsApp renderer):
 * header, body, footer; and, when the template's wording is not Meta's own, a note saying so.
 * The sandbox phone and the content manager's side panel both show it; buttons are their own.
 */
export const WhatsappMessageText = ({ preview }: { preview: RenderedWhatsappPreview }) => {
  const t = useT();
  return (
    <>
      {preview.template && preview.template.source !== 'meta' && (
        <Typography variant="pi" textColor="neutral800" style={{ display: 'block', fontStyle: 'italic', marginBottom: 4 }} data-testid="whatsapp-unconfirmed">
          {t('whatsappMessage.unconfirmed', 'Preview, not yet confirmed by Meta')}
        </Typography>
      )}
      {preview.header && (
        <Typography fontWeight="bold" style={{ display: 'block', whiteSpace: 'pre-wrap', fontSize: 14 }} data-testid="whatsapp-header">
          {preview.header}
        </Typography>
      )}
      <Typography style={{ display: 'block', whiteSpace: 'pre-wrap', fontSize: 14 }} data-testid="whatsapp-text">
        {preview.text}
      </Typography>
      {preview.footer && (
        <Typography variant="pi" textColor="neutral600" style={{ display: 'block', whiteSpace: 'pre-wrap', marginTop: 4 }} data-testid="whatsapp-footer">
          {preview.footer}
        </Typography>
      )}
    </>
  );
};
