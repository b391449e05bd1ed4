// The local page: uploads through /api/upload, events from /api/events (server-sent), the failure
// queue from /api/failures and /api/redrive. Plain DOM, no framework, no build step.

const $ = (selector) => document.querySelector(selector);

/** An element with text, attributes and children. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

const kb = (bytes) =>
  bytes === undefined ? '' : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const size = (object) => (object.width ? `${object.width}×${object.height}` : '');

function figure(object, label, className) {
  const link = el(
    'a',
    { href: object.url, target: '_blank', rel: 'noopener' },
    el('img', { src: object.url, alt: `${label}: ${object.key}`, loading: 'lazy' }),
  );
  const caption = el('figcaption', { text: [label, size(object), kb(object.bytes)].filter(Boolean).join(' · ') });
  return el('figure', { class: className, 'data-key': object.key }, link, caption);
}

function renderEvent(event) {
  const item = el('li', { class: `event ${event.outcome}`, 'data-key': event.key, 'data-outcome': event.outcome });
  item.append(el('div', { class: 'title' }, el('a', { href: event.original.url, target: '_blank', rel: 'noopener', text: event.key })));
  const meta = [
    event.eventName,
    new Date(event.time).toLocaleTimeString(),
    event.ms !== undefined ? `${event.ms} ms` : undefined,
    event.attempts > 1 ? `${event.attempts} attempts` : undefined,
  ];
  item.append(el('div', { class: 'meta', text: meta.filter(Boolean).join(' · ') }));
  if (event.outcome === 'written') {
    const images = el('div', { class: 'images' });
    images.append(figure(event.original, 'original', 'original'));
    for (const output of event.outputs) images.append(figure(output, output.rendition ?? 'thumbnail', `output ${output.format ?? ''}`));
    item.append(images);
  } else if (event.reason) {
    const label = { refused: 'Refused', failed: 'Failed', skipped: 'Skipped', deleted: 'Deleted' }[event.outcome] ?? 'Result';
    item.append(el('p', { class: 'reason', text: `${label}${event.errorType ? ` (${event.errorType})` : ''}: ${event.reason}` }));
  }
  return item;
}

async function refreshFailures() {
  const response = await fetch('/api/failures');
  const { records } = await response.json();
  $('#failure-count').textContent = String(records.length);
  const list = $('#failure-list');
  list.replaceChildren(
    ...records.map((record) =>
      el(
        'li',
        { 'data-key': record.key ?? '' },
        el('strong', { text: record.key ?? '(no key)' }),
        document.createTextNode(` — ${record.errorType} (${record.condition})${record.reason ? `: ${record.reason}` : ''}`),
      ),
    ),
  );
  $('#redrive').disabled = records.length === 0;
}

async function upload(file) {
  const row = el('li', { text: `${file.name}: uploading…` });
  $('#uploads').prepend(row);
  try {
    const response = await fetch(`/api/upload?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { 'content-type': file.type || 'application/octet-stream' },
      body: file,
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error ?? response.statusText);
    row.textContent = `${file.name}: uploaded to ${answer.key} (${kb(answer.bytes)}); waiting for its event…`;
    row.dataset.key = answer.key;
  } catch (error) {
    row.textContent = `${file.name}: upload failed: ${error.message}`;
  }
}

function uploadAll(files) {
  for (const file of files) upload(file);
}

async function start() {
  const config = await (await fetch('/api/config')).json();
  $('#buckets').textContent =
    `S3 ${config.s3Endpoint} · originals ${config.originals} → thumbnails ${config.thumbnails} · ${config.region}`;
  $('#prefix').textContent = `${config.uploadPrefix}uploads/`;

  const input = $('#files');
  input.addEventListener('change', () => {
    uploadAll(input.files);
    input.value = '';
  });
  const drop = $('#drop');
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    uploadAll(event.dataTransfer.files);
  });

  $('#redrive').addEventListener('click', async () => {
    $('#redrive-result').textContent = 'replaying…';
    const answer = await (await fetch('/api/redrive', { method: 'POST' })).json();
    $('#redrive-result').textContent = answer.error ?? `${answer.processed} processed, ${answer.failedAgain} failed again (recorded again)`;
    refreshFailures();
  });

  const stream = new EventSource('/api/events');
  stream.addEventListener('open', () => ($('#connection').textContent = 'live'));
  stream.addEventListener('error', () => ($('#connection').textContent = 'reconnecting'));
  stream.addEventListener('delivery', (message) => {
    const event = JSON.parse(message.data);
    $('#events').prepend(renderEvent(event));
    for (const row of document.querySelectorAll(`#uploads li`)) if (row.dataset.key === event.key) row.remove();
    if (event.outcome !== 'written') refreshFailures();
  });
  refreshFailures();
}

start();
