/**
 * Submits the form as one JSON request listing every chosen channel, and announces what to do
 * next on each; error texts name the field and move focus to it.
 */
export const SIGNUP_SCRIPT = `(() => {
  const form = document.getElementById('town-crier-signup');
  if (!form) return;
  const say = JSON.parse(form.dataset.say || '{}');

  // Embedded in the town's website (an iframe from another origin), browsers refuse the permission
  // prompt: the option then points to the page itself instead of failing after the click.
  const framed = (() => { try { return window.self !== window.top; } catch (error) { return true; } })();
  const pushKey = form.dataset.pushKey;
  const pushSupported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  // The worker is registered when the page loads (so an installed Home Screen app has it at once);
  // permission is asked only after the citizen's own click on "Anmelden".
  const registration = pushKey && pushSupported()
    ? navigator.serviceWorker.register(form.dataset.pushWorker, { scope: form.dataset.pushScope }).catch(() => null)
    : Promise.resolve(null);
  const activeRegistration = async () => {
    const reg = await registration;
    if (!reg) return null;
    if (reg.active) return reg;
    const worker = reg.installing || reg.waiting;
    if (!worker) return null;
    await new Promise((resolve) => worker.addEventListener('statechange', () => { if (worker.state === 'activated') resolve(); }));
    return reg;
  };
  const keyBytes = (base64) => {
    const raw = atob(base64.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64.length % 4)) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  };
  const pushSubscription = async () => {
    if (!pushSupported()) throw new Error('unsupported');
    const permission = await Notification.requestPermission();
    if (permission !== 'granted') throw new Error('denied');
    const reg = await activeRegistration();
    if (!reg) throw new Error('unsupported');
    const existing = await reg.pushManager.getSubscription();
    const subscription = existing || (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(pushKey) }));
    return subscription.toJSON();
  };
  const leave = document.getElementById('webpush-leave');
  if (leave) {
    registration.then(async (reg) => {
      const subscription = reg && (await reg.pushManager.getSubscription());
      if (subscription) leave.hidden = false;
    });
    leave.addEventListener('click', async () => {
      const reg = await registration;
      const subscription = reg && (await reg.pushManager.getSubscription());
      if (subscription) {
        await fetch(form.dataset.pushUnsubscribe, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ endpoint: subscription.endpoint }) });
        await subscription.unsubscribe();
      }
      leave.hidden = true;
      document.getElementById('form-status').textContent = say.webpushLeft;
    });
  }
  const field = (id) => document.getElementById(id);
  const inputs = { whatsapp: ['address', 'address-error', 'address'], email: ['address-email', 'address-email-error', 'email'] };
  // Typing a number (or an address) chooses that way: nobody should have to tick the box as well.
  for (const [channel, spec] of Object.entries(inputs)) {
    const input = field(spec[0]);
    const box = field('channel-' + channel);
    if (input && box) input.addEventListener('input', () => { if (input.value.trim()) box.checked = true; });
  }
  const clear = () => {
    for (const el of document.querySelectorAll('[role=alert], [role=status]')) el.textContent = '';
    for (const el of form.querySelectorAll('[aria-invalid]')) el.setAttribute('aria-invalid', 'false');
  };
  const fail = (id, input, text) => {
    field(id).textContent = text;
    if (input) { input.setAttribute('aria-invalid', 'true'); input.focus(); }
  };
  const failChannel = (channel) => {
    const spec = inputs[channel];
    if (spec) return fail(spec[1], field(spec[0]), say[spec[2]]);
    fail('form-error', null, say.failed);
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear();
    const chosen = [...form.querySelectorAll('input[name=channels]:checked')].map((input) => input.value);
    const consent = field('consent');
    if (!chosen.length) return fail('channels-error', form.querySelector('input[name=channels]'), say.channels);
    const channels = [];
    for (const channel of chosen) {
      const spec = inputs[channel];
      if (channel === 'webpush') continue;
      if (!spec) { channels.push({ channel }); continue; }
      const value = field(spec[0]).value.trim();
      // The manage link's own channel: the token names the subscription, the address may stay empty.
      if (!value && channel === form.dataset.manageChannel) { channels.push({ channel }); continue; }
      if (!value) return failChannel(channel);
      channels.push({ channel, address: value });
    }
    if (!consent.checked) return fail('consent-error', consent, say.consent);
    if (chosen.includes('webpush') && framed) {
      const note = field('webpush-error');
      note.textContent = say.webpushFramed + ' ';
      const open = document.createElement('a');
      open.href = location.href.split('#')[0];
      open.target = '_blank';
      open.rel = 'noopener';
      open.textContent = say.webpushOpen;
      note.append(open);
      return field('channel-webpush').focus();
    }
    if (chosen.includes('webpush')) {
      try {
        channels.push({ channel: 'webpush', subscription: await pushSubscription() });
      } catch (error) {
        return fail('webpush-error', field('channel-webpush'), error.message === 'denied' ? say.webpushDenied : say.webpushUnsupported);
      }
    }
    const body = {
      channels,
      topics: [...form.querySelectorAll('input[name=topics]:checked')].map((input) => input.value),
      villages: [...form.querySelectorAll('input[name=villages]:checked')].map((input) => input.value),
      locale: form.dataset.locale,
      consent: { accepted: true, version: form.dataset.consentVersion },
      source: 'signup-page',
    };
    if (form.dataset.manage) body.manage = form.dataset.manage;
    const name = field('name').value.trim();
    if (name) body.name = name;
    const website = field('website').value;
    if (website) body.website = website;
    // A sign-up stand (the town hall's tablet) opens the page as .../signup#stand=<token>: the
    // fragment never reaches a server or its logs, and the token gives the stand its own limit.
    const stand = new URLSearchParams(location.hash.slice(1)).get('stand');
    const headers = { 'Content-Type': 'application/json' };
    if (stand) { headers['X-Town-Crier-Stand'] = stand; body.source = 'stand'; }
    const response = await fetch(form.dataset.api, { method: 'POST', headers, body: JSON.stringify(body) });
    const json = await response.json().catch(() => ({}));
    if (response.status === 202) {
      // The answer goes to the top of the page, where a phone user sees it, and the form is emptied.
      const status = field('form-status');
      const answers = (json.data && json.data.channels) || [];
      status.append((answers.length && answers.every((answer) => answer.changed) ? say.saved : say.done) + ' ');
      const list = document.createElement('ul');
      for (const answer of answers) {
        const item = document.createElement('li');
        if (answer.changed) {
          // What changed, as the citizen named it; the language by its own name on the page's switch.
          const parts = [];
          const names = (values) => (values.length ? values.join(', ') : say.everything);
          if (answer.changed.topics) parts.push(say.topicsNow + ' ' + names(answer.changed.topics) + '.');
          if (answer.changed.villages) parts.push(say.villagesNow + ' ' + names(answer.changed.villages) + '.');
          if (answer.changed.language) {
            const own = document.querySelector('.lang [lang="' + answer.changed.language + '"]');
            parts.push(say.languageNow + ' ' + (own ? own.textContent : answer.changed.language) + '.');
          }
          item.append(parts.length ? parts.join(' ') : say.nothingChanged);
          list.append(item);
          continue;
        }
        const link = (href, text) => { const a = document.createElement('a'); a.href = href; a.textContent = text; a.target = '_blank'; a.rel = 'noopener'; return a; };
        if (answer.channel === 'whatsapp') {
          item.append(say.whatsapp);
          if (answer.whatsappLink) { item.append(' '); item.append(link(answer.whatsappLink, say.whatsappLink)); }
        } else if (answer.channel === 'email') {
          item.append(say.mail);
        } else if (answer.channel === 'webpush') {
          item.append(say.webpush);
          if (leave) leave.hidden = false;
        } else if (answer.channel === 'telegram' && answer.telegramLink) {
          item.append(say.telegramIntro + ' ');
          item.append(link(answer.telegramLink, say.telegram));
        }
        list.append(item);
      }
      status.append(list);
      // The manage page keeps showing the citizen's (new) choice.
      if (!form.dataset.manage) form.reset();
      // The page's top: the heading and the answer right below it, whatever was scrolled before.
      status.focus({ preventScroll: true });
      window.scrollTo(0, 0);
      return;
    }
    if (response.status === 429) return fail('form-error', null, say.busy);
    const path = (json.error && json.error.details && json.error.details.errors && json.error.details.errors[0] && json.error.details.errors[0].path) || [];
    if (path[0] === 'channels' && channels[Number(path[1])]) return failChannel(channels[Number(path[1])].channel);
    if (path[0] === 'consent') return fail('consent-error', consent, say.consent);
    fail('form-error', null, say.failed);
  });
})();`;
