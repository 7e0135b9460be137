"""The sandbox phone page: plain HTML and a little vanilla JS, no external resources."""

from __future__ import annotations

PHONE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ulak sandbox phone</title>
<style>
body{margin:0;font-family:system-ui,sans-serif;background:#d9dbd5;display:flex;height:100vh}
#side{width:260px;background:#fff;overflow:auto;border-right:1px solid #ccc}
#side h1{font-size:16px;margin:0;padding:12px;background:#075e54;color:#fff}
.chat{padding:10px 12px;border-bottom:1px solid #eee;cursor:pointer}
.chat.on{background:#ebebeb}.chat small{color:#666;display:block}
#main{flex:1;display:flex;flex-direction:column}
#head{background:#075e54;color:#fff;padding:12px;display:flex;gap:8px;align-items:center}
#head select,#head input{font-size:13px}
#log{flex:1;overflow:auto;padding:16px;background:#ece5dd}
.msg{max-width:420px;margin:6px 0;padding:8px 10px;border-radius:8px;background:#fff;
 box-shadow:0 1px 1px #0002;white-space:pre-wrap;word-wrap:break-word}
.in{margin-left:auto;background:#dcf8c6}
.hdr{font-weight:bold;margin-bottom:4px}.hdr img,.hdr video{max-width:100%;border-radius:6px}
.ftr{color:#777;font-size:12px;margin-top:4px}
.meta{color:#999;font-size:11px;text-align:right}.tick.read{color:#34b7f1}
.btns button,.btns a{display:block;width:100%;margin-top:4px;padding:6px;border:0;
 border-top:1px solid #eee;background:#fff;color:#0a7cff;cursor:pointer;text-align:center;
 text-decoration:none;font-size:14px}
.err{color:#b00;font-size:12px}
#bar{display:flex;gap:6px;padding:8px;background:#f0f0f0}
#bar input{flex:1;padding:8px;border-radius:16px;border:1px solid #ccc}
#bar button{padding:8px 14px;border-radius:16px;border:0;background:#075e54;color:#fff}
#bar button.stop{background:#b00}
</style></head>
<body>
<div id="side"><h1 id="t-title"></h1><div id="chats"></div></div>
<div id="main">
 <div id="head"><b id="who">-</b><span style="flex:1"></span>
  <input id="newnum" placeholder="+905551112233" size="14">
  <button id="open"></button>
  <select id="lang"><option value="tr">TR</option><option value="en">EN</option></select>
 </div>
 <div id="log"></div>
 <div id="bar"><input id="text"><button id="send"></button>
  <button id="stop" class="stop">STOP</button></div>
</div>
<script>
const L={tr:{title:"Ulak sandbox telefon",send:"Gönder",open:"Aç",ph:"Mesaj yazın",
 none:"Henüz mesaj yok",copy:"Kodu kopyala",copied:"Kopyalandı",failed:"Gönderilemedi",
 pick:"Bir numara seçin"},
 en:{title:"Ulak sandbox phone",send:"Send",open:"Open",ph:"Type a message",
 none:"No messages yet",copy:"Copy code",copied:"Copied",failed:"Failed",pick:"Pick a number"}};
const q=new URLSearchParams(location.search);
let lang=q.get("lang")||((navigator.language||"").startsWith("tr")?"tr":"en");
let current=q.get("to")||"";let lastJson="";
const $=id=>document.getElementById(id);
function esc(s){return String(s??"").replace(/[&<>"]/g,c=>({"&":"&amp;","<":"&lt;",">":"&gt;",
 '"':"&quot;"}[c]))}
function labels(){const t=L[lang];$("lang").value=lang;$("t-title").textContent=t.title;
 $("send").textContent=t.send;$("open").textContent=t.open;$("text").placeholder=t.ph;
 document.documentElement.lang=lang}
async function api(path,body){const r=await fetch(path,body?{method:"POST",
 headers:{"Content-Type":"application/json"},body:JSON.stringify(body)}:{});return r.json()}
async function chats(){const d=await api("api/chats");$("chats").innerHTML=d.chats.map(
 c=>`<div class="chat ${c.to===current?"on":""}" data-to="${esc(c.to)}">${esc(c.to)}
 <small>${esc((c.last_text||"").slice(0,40))}</small></div>`).join("");
 document.querySelectorAll(".chat").forEach(e=>e.onclick=()=>{current=e.dataset.to;
 lastJson="";refresh()})}
function header(h){if(!h)return"";if(h.type==="text")return`<div class="hdr">${esc(h.text)}</div>`;
 if(h.type==="image")return`<div class="hdr"><img src="${esc(h.link)}" alt=""></div>`;
 if(h.type==="video")return`<div class="hdr"><video src="${esc(h.link)}" controls></video></div>`;
 if(h.type==="document")return`<div class="hdr"><a href="${esc(h.link)}">📄 ${
 esc(h.filename||h.link)}</a></div>`;
 if(h.type==="location")return`<div class="hdr">📍 ${esc(h.name||"")} ${esc(h.address||"")}
 (${esc(h.latitude)}, ${esc(h.longitude)})</div>`;return""}
function button(b){const t=L[lang];
 if(b.type==="quick_reply")return`<button data-payload="${esc(b.payload)}">${esc(b.text)}</button>`;
 if(b.type==="reply"||b.type==="list_row")return`<button data-reply="${esc(b.id)}">${
 esc(b.text)}</button>`;
 if(b.type==="url"||b.type==="cta_url")return`<a href="${esc(b.url)}" target="_blank">🔗 ${
 esc(b.text)}</a>`;
 if(b.type==="copy_code")return`<button data-code="${esc(b.code)}">${t.copy}: ${
 esc(b.code)}</button>`;
 if(b.type==="list_button")return`<div class="ftr">☰ ${esc(b.text)}</div>`;
 return`<button disabled>${esc(b.text)}</button>`}
function tick(s){if(s==="read")return'<span class="tick read">✓✓</span>';
 if(s==="delivered")return'<span class="tick">✓✓</span>';if(s==="sent")return"✓";
 if(s==="failed")return`<span class="err">${L[lang].failed}</span>`;return"🕓"}
async function refresh(){labels();await chats();if(!current){$("who").textContent=L[lang].pick;
 return}$("who").textContent=current;
 const d=await api("api/messages?include_inbound=1&to="+encodeURIComponent(current));
 const j=JSON.stringify(d);if(j===lastJson)return;lastJson=j;
 $("log").innerHTML=d.messages.length?d.messages.map(m=>m.direction==="inbound"?
 `<div class="msg in">${esc(m.text)}<div class="meta">${esc(m.time.slice(11,16))}</div></div>`:
 `<div class="msg">${header(m.header)}<div>${esc(m.body??m.text)}</div>${
 m.footer?`<div class="ftr">${esc(m.footer)}</div>`:""}<div class="meta">${
 esc(m.time.slice(11,16))} ${tick(m.status)}</div>${
 (m.errors||[]).map(e=>`<div class="err">${esc(e.code)} ${esc(e.title)}</div>`).join("")}
 <div class="btns">${(m.buttons||[]).map(button).join("")}</div></div>`).join("")
 :`<p>${L[lang].none}</p>`;
 $("log").scrollTop=1e9;
 document.querySelectorAll("[data-payload]").forEach(e=>e.onclick=()=>reply(
  {button_payload:e.dataset.payload}));
 document.querySelectorAll("[data-reply]").forEach(e=>e.onclick=()=>reply(
  {reply_id:e.dataset.reply}));
 document.querySelectorAll("[data-code]").forEach(e=>e.onclick=()=>{
  navigator.clipboard&&navigator.clipboard.writeText(e.dataset.code);
  e.textContent=L[lang].copied})}
async function reply(extra){if(!current)return;await api("api/reply",
 Object.assign({from:current},extra));lastJson="";refresh()}
$("send").onclick=()=>{const v=$("text").value.trim();if(v){$("text").value="";reply({text:v})}};
$("text").onkeydown=e=>{if(e.key==="Enter")$("send").onclick()};
$("stop").onclick=()=>reply({text:"STOP"});
$("open").onclick=()=>{const v=$("newnum").value.trim();if(v){current=v;lastJson="";refresh()}};
$("lang").onchange=e=>{lang=e.target.value;lastJson="";refresh()};
refresh();setInterval(refresh,1500);
</script></body></html>
"""
