// A small page over the control API: read channels and DMs, act as a member.
"use strict";
const api = (path, body) =>
  fetch("/_sandbox" + path, body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  }).then(async (r) => ({ok: r.ok, data: await r.json()}));
const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  children.forEach((c) => node.append(c));
  return node;
};
let world = null, channel = null, commands = [], shownModal = null;

const member = () => $("member").value;
const names = () => {
  const guild = world.guilds[0], out = {};
  guild.members.forEach((m) => { out["@" + m.id] = "@" + m.display_name; });
  guild.roles.forEach((r) => { out["&" + r.id] = "@" + r.name; });
  guild.channels.forEach((c) => { out["#" + c.id] = "#" + c.name; });
  return out;
};

const TIME_STYLES = {
  t: {timeStyle: "short"}, T: {timeStyle: "medium"}, d: {dateStyle: "short"},
  D: {dateStyle: "long"}, f: {dateStyle: "long", timeStyle: "short"},
  F: {dateStyle: "full", timeStyle: "short"},
};
const TIME_UNITS = [["year", 31536000], ["month", 2592000], ["day", 86400], ["hour", 3600], ["minute", 60]];

function timestamp(seconds, style) {
  // Discord's <t:unix:style> markup, shown in the viewer's own time zone as Discord does.
  const date = new Date(seconds * 1000);
  if (style !== "R") return date.toLocaleString(undefined, TIME_STYLES[style] || TIME_STYLES.f);
  const diff = (date - Date.now()) / 1000, relative = new Intl.RelativeTimeFormat(undefined, {numeric: "auto"});
  const [unit, size] = TIME_UNITS.find(([, s]) => Math.abs(diff) >= s) || ["second", 1];
  return relative.format(Math.round(diff / size), unit);
}

function renderText(text) {
  // Mentions become @names and timestamps dates; everything else stays plain text (never HTML).
  const span = el("span"), known = names();
  let last = 0;
  for (const m of text.matchAll(/<(@!?|@&|#)(\d+)>|<t:(-?\d+)(?::([tTdDfFR]))?>/g)) {
    span.append(text.slice(last, m.index));
    if (m[3] !== undefined) {
      span.append(el("span", {className: "timestamp", title: m[0], textContent: timestamp(Number(m[3]), m[4])}));
    } else {
      const key = (m[1] === "#" ? "#" : m[1] === "@&" ? "&" : "@") + m[2];
      span.append(el("span", {className: "mention", textContent: known[key] || m[0]}));
    }
    last = m.index + m[0].length;
  }
  span.append(text.slice(last));
  return span;
}

function renderComponents(message, into) {
  for (const row of message.components || []) {
    const line = el("div");
    for (const c of row.components || []) {
      if (c.type === 2) {
        const b = el("button", {textContent: c.label || c.custom_id || "link", disabled: !!c.disabled || !c.custom_id});
        b.onclick = () => act("/interactions/component", {member: member(), custom_id: c.custom_id, message_id: message.id});
        line.append(b);
      } else if (c.type === 3) {
        const s = el("select", {disabled: !!c.disabled}, el("option", {textContent: c.placeholder || "choose…", value: ""}));
        (c.options || []).forEach((o) => s.append(el("option", {value: o.value, textContent: o.label})));
        s.onchange = () => s.value && act("/interactions/component", {member: member(), custom_id: c.custom_id, message_id: message.id, values: [s.value]});
        line.append(s);
      }
    }
    into.append(line);
  }
}

function renderMessage(m) {
  const box = el("div", {className: "message" + (m.flags & 64 ? " ephemeral" : "")});
  const pinged = m.sandbox.pinged_nobody ? "pings nobody" : "pings " + [...m.sandbox.pinged_users.map((u) => "<@" + u + ">"), ...m.sandbox.pinged_roles.map((r) => "<@&" + r + ">"), m.sandbox.pinged_everyone ? "@everyone" : ""].join(" ");
  box.append(el("div", {className: "meta"}, m.author.global_name || m.author.username, " · ", m.timestamp, m.edited_timestamp ? " (edited)" : "", m.flags & 64 ? " · only you can see this" : "", " · ", renderText(pinged)));
  box.append(el("div", {}, renderText(m.content)));
  for (const e of m.embeds || []) {
    const embed = el("div", {className: "embed"});
    if (e.title) embed.append(el("strong", {}, renderText(e.title)));
    if (e.description) embed.append(el("div", {}, renderText(e.description)));
    (e.fields || []).forEach((f) => embed.append(el("div", {className: "field"}, el("b", {textContent: f.name}), el("div", {}, renderText(f.value)))));
    if (e.footer) embed.append(el("div", {className: "meta", textContent: e.footer.text}));
    box.append(embed);
  }
  renderComponents(m, box);
  return box;
}

async function refresh() {
  if (channel) {
    const {data} = await api(`/channels/${channel.id}/messages?member=${member()}`);
    $("messages").replaceChildren(...data.map(renderMessage));
  }
  const dms = await api(`/users/${member()}/dms`);
  $("dms").replaceChildren(...dms.data.map(renderMessage));
  const modals = await api(`/modals?member=${member()}`);
  renderModal(modals.data[modals.data.length - 1]);
  if (!commands.length) await loadCommands();
  const gw = await api("/gateway");
  $("status").textContent = gw.data.connected ? "bot connected" : "bot not connected";
}

function renderModal(modal) {
  const id = modal ? modal.interaction_id : null;
  if (id === shownModal) return; // keep what the person is typing
  shownModal = id;
  if (!modal) { $("modal").replaceChildren(); return; }
  const form = el("form", {}, el("h3", {textContent: modal.data.title}));
  const inputs = [];
  const walk = (c, label) => {
    if (c.type === 1) c.components.forEach((x) => walk(x));
    else if (c.type === 18) walk(c.component, c.label);
    else if (c.type === 4) {
      const input = el(c.style === 2 ? "textarea" : "input", {name: c.custom_id, value: c.value || "", placeholder: c.placeholder || ""});
      inputs.push(input);
      form.append(el("label", {textContent: label || c.label || c.custom_id}), input);
    }
  };
  modal.data.components.forEach((c) => walk(c));
  form.append(el("button", {type: "submit", textContent: "Submit"}));
  form.onsubmit = (ev) => {
    ev.preventDefault();
    const values = Object.fromEntries(inputs.map((i) => [i.name, i.value]));
    act("/interactions/modal", {member: member(), values, custom_id: modal.data.custom_id});
  };
  $("modal").replaceChildren(form);
}

async function act(path, body) {
  $("result").textContent = "waiting for the bot…";
  const {ok, data} = await api(path, body);
  $("result").textContent = ok ? `answered with callback type ${data.callback_type}` : data.error;
  await refresh();
}

function renderCommandForm() {
  const options = [];
  commands.forEach((c) => {
    const subs = (c.options || []).filter((o) => o.type === 1 || o.type === 2);
    if (!subs.length) options.push([c.name, c.options || []]);
    subs.forEach((s) => {
      if (s.type === 1) options.push([c.name + " " + s.name, s.options || []]);
      else (s.options || []).forEach((t) => options.push([`${c.name} ${s.name} ${t.name}`, t.options || []]));
    });
  });
  $("command-name").replaceChildren(...options.map(([n], i) => el("option", {value: i, textContent: "/" + n})));
  const fill = () => {
    const [, opts] = options[$("command-name").value] || ["", []];
    $("command-options").replaceChildren(...opts.map((o) => el("input", {name: o.name, placeholder: o.name + (o.required ? "*" : "")})));
  };
  $("command-name").onchange = fill;
  fill();
  $("command").onsubmit = (ev) => {
    ev.preventDefault();
    const [name] = options[$("command-name").value];
    const values = {};
    for (const input of $("command-options").children) if (input.value) values[input.name] = input.value;
    act("/interactions/command", {member: member(), channel: channel ? channel.id : "", name, options: values});
  };
}

async function loadCommands() {
  const synced = (await api("/commands")).data;
  commands = [...synced.global, ...Object.values(synced.guilds).flat()].filter((c) => c.type === 1);
  renderCommandForm();
}

async function start() {
  world = (await api("/world")).data;
  const guild = world.guilds[0];
  const people = guild.members.filter((m) => !m.bot);
  $("member").replaceChildren(...people.map((m) => el("option", {value: m.id, textContent: `${m.display_name} (${m.username})`})));
  // ?as=username picks the member and #channel the channel, so a view can be bookmarked.
  const asked = people.find((m) => m.username === new URLSearchParams(location.search).get("as"));
  if (asked) $("member").value = asked.id;
  $("member").onchange = refresh;
  const nav = $("channels");
  const pick = (c, link) => () => {
    channel = c;
    nav.querySelectorAll("a").forEach((a) => a.classList.remove("active"));
    link.classList.add("active");
    $("title").textContent = "#" + c.name;
    history.replaceState(null, "", location.search + "#" + c.name);
    refresh();
  };
  let wanted = null;
  for (const cat of [null, ...guild.channels.filter((c) => c.type === 4)]) {
    if (cat) nav.append(el("div", {className: "category", textContent: cat.name}));
    for (const c of guild.channels.filter((x) => x.type === 0 && x.parent_id === (cat ? cat.id : null))) {
      const link = el("a", {textContent: "# " + c.name});
      link.onclick = pick(c, link);
      nav.append(link);
      if (location.hash === "#" + c.name) wanted = link;
    }
  }
  if (wanted) wanted.onclick(); else await refresh();
  setInterval(refresh, 2000);
}
start();
