/**
 * The sign-up page's script, run in the citizen's browser: submits the form as one JSON request
 * listing every chosen channel, and announces what to do next on each; error texts name the field
 * and move focus to it. Type-checked against the DOM (tsconfig.json here), compiled by
 * scripts/build-browser-assets.cjs, served from `/api/town-crier/signup.js` (CSP `script-src 'self'`).
 */
import type { scriptCopy } from '../page';

type Say = (typeof scriptCopy)['de'];
type ChannelChoice = { channel: string; address?: string; subscription?: PushSubscriptionJSON };
type ChannelAnswer = {
  channel: string;
  changed?: { topics?: string[]; villages?: string[]; language?: string };
  whatsappLink?: string;
  telegramLink?: string;
};
type SignupBody = {
  channels: ChannelChoice[];
  topics: string[];
  villages: string[];
  locale: string | undefined;
  consent: { accepted: true; version: string | undefined };
  source: string;
  manage?: string;
  name?: string;
  website?: string;
};

(() => {
  const form = document.getElementById('town-crier-signup') as HTMLFormElement | null;
  if (!form) return;
  const say = JSON.parse(form.dataset.say || '{}') as Say;
  const field = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T | null;
  const inputOf = (id: string) => field<HTMLInputElement>(id);

  // Embedded in the town's website (an iframe from another origin), browsers refuse the permission
  // prompt: the option then points to the page itself instead of failing after the click.
  const framed = (() => {
    try {
      return window.self !== window.top;
    } catch {
      return true;
    }
  })();
  const pushKey = form.dataset.pushKey;
  const pushSupported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  // The worker is registered when the page loads (so an installed Home Screen app has it at once);
  // permission is asked only after the citizen's own click on "Anmelden".
  const registration: Promise<ServiceWorkerRegistration | null> =
    pushKey && pushSupported() && form.dataset.pushWorker
      ? navigator.serviceWorker.register(form.dataset.pushWorker, { scope: form.dataset.pushScope }).catch(() => null)
      : Promise.resolve(null);
  const activeRegistration = async () => {
    const reg = await registration;
    if (!reg) return null;
    if (reg.active) return reg;
    const worker = reg.installing || reg.waiting;
    if (!worker) return null;
    await new Promise<void>((resolve) =>
      worker.addEventListener('statechange', () => {
        if (worker.state === 'activated') resolve();
      }),
    );
    return reg;
  };
  const keyBytes = (base64: string) => {
    const raw = atob(base64.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64.length % 4)) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  };
  const pushSubscription = async () => {
    if (!pushSupported() || !pushKey) throw new Error('unsupported');
    const permission = await Notification.requestPermission();
    if (permission !== 'granted') throw new Error('denied');
    const reg = await activeRegistration();
    if (!reg) throw new Error('unsupported');
    const existing = await reg.pushManager.getSubscription();
    const subscription = existing || (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(pushKey) }));
    return subscription.toJSON();
  };
  const status = field('form-status');
  const leave = field('webpush-leave');
  if (leave) {
    void registration.then(async (reg) => {
      const subscription = reg && (await reg.pushManager.getSubscription());
      if (subscription) leave.hidden = false;
    });
    leave.addEventListener('click', async () => {
      const reg = await registration;
      const subscription = reg && (await reg.pushManager.getSubscription());
      if (subscription && form.dataset.pushUnsubscribe) {
        await fetch(form.dataset.pushUnsubscribe, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ endpoint: subscription.endpoint }),
        });
        await subscription.unsubscribe();
      }
      leave.hidden = true;
      if (status) status.textContent = say.webpushLeft;
    });
  }
  /** Per channel with an address field: the input, its error line, and the text the error line shows. */
  const inputs: Record<string, [input: string, error: string, text: keyof Say]> = {
    whatsapp: ['address', 'address-error', 'address'],
    email: ['address-email', 'address-email-error', 'email'],
  };
  // Typing a number (or an address) chooses that way: nobody should have to tick the box as well.
  for (const [channel, [inputId]] of Object.entries(inputs)) {
    const input = inputOf(inputId);
    const box = inputOf('channel-' + channel);
    if (input && box)
      input.addEventListener('input', () => {
        if (input.value.trim()) box.checked = true;
      });
  }
  const clear = () => {
    for (const el of document.querySelectorAll('[role=alert], [role=status]')) el.textContent = '';
    for (const el of form.querySelectorAll('[aria-invalid]')) el.setAttribute('aria-invalid', 'false');
  };
  const fail = (id: string, input: HTMLElement | null, text: string) => {
    const line = field(id);
    if (line) line.textContent = text;
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  };
  const failChannel = (channel: string) => {
    const spec = inputs[channel];
    if (spec) return fail(spec[1], field(spec[0]), say[spec[2]]);
    fail('form-error', null, say.failed);
  };
  const checkedValues = (name: string) => [...form.querySelectorAll<HTMLInputElement>(`input[name=${name}]:checked`)].map((input) => input.value);
  const link = (href: string, text: string) => {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    a.target = '_blank';
    a.rel = 'noopener';
    return a;
  };

  /** One line per channel of a successful answer: what the citizen does next there, or what changed. */
  const answerLine = (answer: ChannelAnswer) => {
    const item = document.createElement('li');
    if (answer.changed) {
      // What changed, as the citizen named it; the language by its own name on the page's switch.
      const parts: string[] = [];
      const names = (values: string[]) => (values.length ? values.join(', ') : say.everything);
      if (answer.changed.topics) parts.push(say.topicsNow + ' ' + names(answer.changed.topics) + '.');
      if (answer.changed.villages) parts.push(say.villagesNow + ' ' + names(answer.changed.villages) + '.');
      if (answer.changed.language) {
        const own = document.querySelector('.lang [lang="' + answer.changed.language + '"]');
        parts.push(say.languageNow + ' ' + (own ? own.textContent : answer.changed.language) + '.');
      }
      item.append(parts.length ? parts.join(' ') : say.nothingChanged);
      return item;
    }
    if (answer.channel === 'whatsapp') {
      item.append(say.whatsapp);
      if (answer.whatsappLink) {
        item.append(' ');
        item.append(link(answer.whatsappLink, say.whatsappLink));
      }
    } else if (answer.channel === 'email') {
      item.append(say.mail);
    } else if (answer.channel === 'webpush') {
      item.append(say.webpush);
      if (leave) leave.hidden = false;
    } else if (answer.channel === 'telegram' && answer.telegramLink) {
      item.append(say.telegramIntro + ' ');
      item.append(link(answer.telegramLink, say.telegram));
    }
    return item;
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear();
    const chosen = checkedValues('channels');
    const consent = inputOf('consent');
    if (!chosen.length) return fail('channels-error', form.querySelector<HTMLInputElement>('input[name=channels]'), say.channels);
    const channels: ChannelChoice[] = [];
    for (const channel of chosen) {
      const spec = inputs[channel];
      if (channel === 'webpush') continue;
      if (!spec) {
        channels.push({ channel });
        continue;
      }
      const value = inputOf(spec[0])?.value.trim() ?? '';
      // The manage link's own channel: the token names the subscription, the address may stay empty.
      if (!value && channel === form.dataset.manageChannel) {
        channels.push({ channel });
        continue;
      }
      if (!value) return failChannel(channel);
      channels.push({ channel, address: value });
    }
    if (!consent?.checked) return fail('consent-error', consent, say.consent);
    if (chosen.includes('webpush') && framed) {
      const note = field('webpush-error');
      if (note) {
        note.textContent = say.webpushFramed + ' ';
        note.append(link(location.href.split('#')[0], say.webpushOpen));
      }
      return field('channel-webpush')?.focus();
    }
    if (chosen.includes('webpush')) {
      try {
        channels.push({ channel: 'webpush', subscription: await pushSubscription() });
      } catch (error) {
        return fail('webpush-error', field('channel-webpush'), error instanceof Error && error.message === 'denied' ? say.webpushDenied : say.webpushUnsupported);
      }
    }
    const body: SignupBody = {
      channels,
      topics: checkedValues('topics'),
      villages: checkedValues('villages'),
      locale: form.dataset.locale,
      consent: { accepted: true, version: form.dataset.consentVersion },
      source: 'signup-page',
    };
    if (form.dataset.manage) body.manage = form.dataset.manage;
    const name = inputOf('name')?.value.trim();
    if (name) body.name = name;
    const website = inputOf('website')?.value;
    if (website) body.website = website;
    // A sign-up stand (the town hall's tablet) opens the page as .../signup#stand=<token>: the
    // fragment never reaches a server or its logs, and the token gives the stand its own limit.
    const stand = new URLSearchParams(location.hash.slice(1)).get('stand');
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (stand) {
      headers['X-Town-Crier-Stand'] = stand;
      body.source = 'stand';
    }
    const response = await fetch(form.dataset.api ?? '', { method: 'POST', headers, body: JSON.stringify(body) });
    const json = (await response.json().catch(() => ({}))) as {
      data?: { channels?: ChannelAnswer[] };
      error?: { details?: { errors?: Array<{ path?: Array<string | number> }> } };
    };
    if (response.status === 202) {
      if (!status) return;
      // The answer goes to the top of the page, where a phone user sees it, and the form is emptied.
      const answers = json.data?.channels ?? [];
      status.append((answers.length && answers.every((answer) => answer.changed) ? say.saved : say.done) + ' ');
      const list = document.createElement('ul');
      for (const answer of answers) list.append(answerLine(answer));
      status.append(list);
      // The manage page keeps showing the citizen's (new) choice.
      if (!form.dataset.manage) form.reset();
      // The page's top: the heading and the answer right below it, whatever was scrolled before.
      status.focus({ preventScroll: true });
      window.scrollTo(0, 0);
      return;
    }
    if (response.status === 429) return fail('form-error', null, say.busy);
    const path = json.error?.details?.errors?.[0]?.path ?? [];
    const failed = path[0] === 'channels' ? channels[Number(path[1])] : undefined;
    if (failed) return failChannel(failed.channel);
    if (path[0] === 'consent') return fail('consent-error', consent, say.consent);
    fail('form-error', null, say.failed);
  });
})();
