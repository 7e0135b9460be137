"""The sandbox phone page: plain HTML and a little vanilla JS, no external resources.

It reads exactly what the JSON API documents (DESIGN.md, "The sandbox"): `GET api/chats`
and `GET api/messages?to=...` (a bare list, oldest first), and answers through
`POST api/reply` with a text, a template quick-reply's `button_payload` or an interactive
`reply_id` — the same inbound webhook Meta sends when a customer taps or types. A marketing
template also offers WhatsApp's "Stop promotions" (`POST api/marketing-preference`): Meta then
sends the `user_preferences` webhook with category `marketing_messages` and value `stop`
(https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/user_preferences).
Side by side on a desktop; on a phone-width screen the chat list and the open chat take turns,
as in WhatsApp.
"""

from __future__ import annotations

PHONE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ulak sandbox phone</title>
<style>
*{box-sizing:border-box}
body{margin:0;font:15px/1.4 system-ui,sans-serif;background:#d1d7db;color:#111b21;height:100vh;
 height:100dvh;display:flex;overflow:hidden}
button,input,select{font:inherit}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
#phone{flex:1;min-width:0;display:flex;height:100%}
#side{width:320px;flex:none;background:#fff;display:flex;flex-direction:column;
 border-right:1px solid #d1d7db}
.top{background:#075e54;color:#fff;padding:10px 12px;display:flex;align-items:center;gap:8px;
 min-height:56px}
.top h1{font-size:17px;margin:0;flex:1}
.top select{background:#fff;color:#111b21;border:0;border-radius:4px;padding:3px}
#newchat{display:flex;gap:6px;padding:8px;border-bottom:1px solid #e9edef}
#newchat input{flex:1;min-width:0;padding:7px 10px;border:1px solid #c5cbcf;border-radius:18px}
#newchat button{padding:7px 12px;border:0;border-radius:18px;background:#075e54;color:#fff}
#chats{flex:1;overflow:auto}
.chat{display:block;width:100%;text-align:left;padding:10px 12px;border:0;
 border-bottom:1px solid #e9edef;background:#fff;cursor:pointer;color:inherit}
.chat:hover{background:#f5f6f6}.chat[aria-current=true]{background:#e9edef}
.chat b{display:flex;justify-content:space-between;gap:8px}
.chat time{font-weight:normal;font-size:12px;color:#54656f}
.chat small{display:block;color:#54656f;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.empty{padding:16px;color:#54656f}
#main{flex:1;min-width:0;display:flex;flex-direction:column}
#back{display:none;background:none;border:0;color:#fff;font-size:22px;padding:0 6px;
 cursor:pointer}
#who{font-weight:600;flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
#log{flex:1;overflow:auto;padding:12px 4%;background:#efeae2}
.day{text-align:center;margin:10px 0}
.day span{background:#fff;border-radius:6px;padding:3px 10px;font-size:12px;color:#54656f}
.msg{width:fit-content;max-width:min(460px,85%);margin:6px 0;padding:6px 9px 4px;
 border-radius:8px;background:#fff;box-shadow:0 1px 1px #0002;overflow-wrap:anywhere}
.msg.mine{margin-left:auto;background:#d9fdd3}
.text{white-space:pre-wrap}
.hdr{font-weight:600;margin-bottom:4px}.hdr img,.hdr video{max-width:100%;border-radius:6px}
.ftr{color:#667781;font-size:13px;margin-top:4px}
.meta{color:#667781;font-size:11px;text-align:right;margin-top:2px}
.tick.read{color:#1f8fd8}.err{color:#b3261e;font-size:13px}
.btns{margin:6px -9px -4px}
.btns button,.btns a{display:block;width:100%;padding:9px 6px;border:0;border-top:1px solid #e9edef;
 background:none;color:#00786a;cursor:pointer;text-align:center;text-decoration:none;
 font-weight:600}
.btns button:disabled{color:#8696a0;cursor:default}
.promo{display:block;margin-top:4px;border:0;background:none;padding:0;color:#667781;
 font-size:12px;text-decoration:underline;cursor:pointer}
#bar{display:flex;gap:6px;padding:8px;background:#f0f2f5}
#bar input{flex:1;min-width:0;padding:9px 14px;border-radius:20px;border:1px solid #c5cbcf}
#bar button{padding:9px 14px;border-radius:20px;border:0;background:#075e54;color:#fff;
 cursor:pointer}
#bar button.stop{background:#a4161a}
#bar :disabled{opacity:.5;cursor:default}
@media (max-width:700px){
 #side{width:100%;border:0}#main{display:none}
 body.open #side{display:none}body.open #main{display:flex}
 #back{display:block}.msg{max-width:88%}
}
</style></head>
<body>
<main id="phone">
<aside id="side">
 <div class="top"><h1 id="t-title"></h1>
  <label class="sr" for="lang" id="t-lang"></label>
  <select id="lang"><option value="tr">TR</option><option value="en">EN</option></select></div>
 <form id="newchat"><label class="sr" for="newnum" id="t-newnum"></label>
  <input id="newnum" inputmode="tel" placeholder="+905551112233">
  <button id="open" type="submit"></button></form>
 <nav id="chats"></nav>
</aside>
<section id="main" aria-labelledby="who">
 <div class="top"><button id="back" type="button">&#8592;</button><span id="who">-</span></div>
 <div id="log" role="log" aria-live="polite"></div>
 <form id="bar"><label class="sr" for="text" id="t-text"></label>
  <input id="text" autocomplete="off">
  <button id="send" type="submit"></button>
  <button id="stop" class="stop" type="button">STOP</button></form>
</section>
</main>
<script>
const L={tr:{title:"Ulak sandbox telefon",send:"Gönder",open:"Aç",ph:"Mesaj yazın",
 none:"Henüz mesaj yok",copy:"Kodu kopyala",copied:"Kopyalandı",failed:"Gönderilemedi",
 pick:"Soldan bir sohbet seçin ya da bir numara açın",chats:"Sohbetler",
 nochats:"Henüz sohbet yok: uygulama bir mesaj gönderdiğinde burada görünür.",
 back:"Sohbetler",lang:"Dil",num:"Telefon numarası",text:"Mesaj",
 stopPromo:"Tanıtım mesajlarını durdur",stopped:"Tanıtımlar durduruldu",
 today:"Bugün",error:"Gönderilemedi, tekrar deneyin"},
 en:{title:"Ulak sandbox phone",send:"Send",open:"Open",ph:"Type a message",
 none:"No messages yet",copy:"Copy code",copied:"Copied",failed:"Failed",
 pick:"Pick a chat or open a number",chats:"Chats",
 nochats:"No chats yet: they appear here when the app sends a message.",
 back:"Chats",lang:"Language",num:"Phone number",text:"Message",
 stopPromo:"Stop promotions",stopped:"Promotions stopped",today:"Today",
 error:"Not sent, try again"}};
const q=new URLSearchParams(location.search);
let lang=q.get("lang")||((navigator.language||"").startsWith("tr")?"tr":"en");
if(!L[lang])lang="en";
let current=q.get("to")||"";let lastJson="";let lastChats="";let busy=false;
const $=id=>document.getElementById(id);
function esc(s){return String(s??"").replace(/[&<>"']/g,c=>({"&":"&amp;","<":"&lt;",">":"&gt;",
 '"':"&quot;","'":"&#39;"}[c]))}
function t(k){return L[lang][k]}
function hm(iso){const d=new Date(iso);return isNaN(d)?"":d.toLocaleTimeString(
 lang==="tr"?"tr-TR":"en-GB",{hour:"2-digit",minute:"2-digit"})}
function day(iso){const d=new Date(iso);if(isNaN(d))return"";
 return d.toLocaleDateString(lang==="tr"?"tr-TR":"en-GB",{day:"numeric",month:"long",
 year:"numeric"})}
function labels(){$("lang").value=lang;$("t-title").textContent=t("title");
 $("send").textContent=t("send");$("open").textContent=t("open");$("text").placeholder=t("ph");
 $("t-lang").textContent=t("lang");$("t-newnum").textContent=t("num");
 $("t-text").textContent=t("text");$("back").setAttribute("aria-label",t("back"));
 $("chats").setAttribute("aria-label",t("chats"));document.documentElement.lang=lang;
 document.title=t("title")}
async function api(path,body){const r=await fetch(path,body?{method:"POST",
 headers:{"Content-Type":"application/json"},body:JSON.stringify(body)}:{});
 if(!r.ok)throw new Error(r.status);return r.json()}
function show(){document.body.classList.toggle("open",!!current);
 $("text").disabled=$("send").disabled=$("stop").disabled=!current;
 const u=new URL(location.href);if(current)u.searchParams.set("to",current);
 else u.searchParams.delete("to");u.searchParams.set("lang",lang);
 history.replaceState(null,"",u)}
async function chats(){const d=await api("api/chats");const j=JSON.stringify(d)+current+lang;
 if(j===lastChats)return;lastChats=j;
 $("chats").innerHTML=d.chats.length?d.chats.map(c=>`<button type="button" class="chat"
 data-to="${esc(c.to)}" aria-current="${c.to===current}"><b>${esc(c.to)}<time>${
 esc(hm(c.time))}</time></b><small>${esc((c.last_text||"").slice(0,80))}</small></button>`
 ).join(""):`<p class="empty">${esc(t("nochats"))}</p>`;
 document.querySelectorAll(".chat").forEach(e=>e.onclick=()=>open(e.dataset.to))}
function open(to){current=to;lastJson="";lastChats="";show();refresh()}
function header(h){if(!h)return"";if(h.type==="text")return`<div class="hdr">${esc(h.text)}</div>`;
 if(h.type==="image")return`<div class="hdr"><img src="${esc(h.link)}" alt=""></div>`;
 if(h.type==="video")return`<div class="hdr"><video src="${esc(h.link)}" controls></video></div>`;
 if(h.type==="document")return`<div class="hdr"><a href="${esc(h.link)}">${
 esc(h.filename||h.link)}</a></div>`;
 if(h.type==="location")return`<div class="hdr">${esc(h.name||"")} ${
 esc(h.address||"")} (${esc(h.latitude)}, ${esc(h.longitude)})</div>`;return""}
function button(b){
 if(b.type==="quick_reply")return`<button type="button" data-payload="${esc(b.payload)}">${
 esc(b.text)}</button>`;
 if(b.type==="reply"||b.type==="list_row")return`<button type="button" data-reply="${
 esc(b.id)}">${esc(b.text)}</button>`;
 if(b.type==="url"||b.type==="cta_url")return`<a href="${esc(b.url)}" target="_blank"
 rel="noopener">${esc(b.text)} &#8599;</a>`;
 if(b.type==="copy_code")return`<button type="button" data-code="${esc(b.code)}">${
 esc(t("copy"))}: ${esc(b.code)}</button>`;
 if(b.type==="list_button")return`<div class="ftr">&#9776; ${esc(b.text)}</div>`;
 return`<button type="button" disabled>${esc(b.text)}</button>`}
function tick(s){if(s==="read")return'<span class="tick read" title="read">&#10003;&#10003;</span>';
 if(s==="delivered")return'<span class="tick" title="delivered">&#10003;&#10003;</span>';
 if(s==="sent")return'<span class="tick" title="sent">&#10003;</span>';
 if(s==="failed")return`<span class="err">${esc(t("failed"))}</span>`;
 return'<span class="tick" title="pending">&#8230;</span>'}
function bubble(m){if(m.direction==="inbound")return`<div class="msg mine" data-wamid="${
 esc(m.wamid)}"><div class="text">${esc(m.text)}</div><div class="meta">${
 esc(hm(m.time))}</div></div>`;
 const promo=m.category==="marketing"?`<button type="button" class="promo" data-promo="1">${
 esc(t("stopPromo"))}</button>`:"";
 return`<div class="msg" data-wamid="${esc(m.wamid)}">${header(m.header)}<div class="text">${
 esc(m.body??m.text)}</div>${m.footer?`<div class="ftr">${esc(m.footer)}</div>`:""}${promo}
 <div class="meta">${esc(hm(m.time))} ${tick(m.status)}</div>${(m.errors||[]).map(e=>
 `<div class="err">${esc(e.code)} ${esc(e.title)}</div>`).join("")}${(m.buttons||[]).length?
 `<div class="btns">${m.buttons.map(button).join("")}</div>`:""}</div>`}
async function refresh(){labels();show();
 try{await chats()}catch(e){return}
 if(!current){$("who").textContent=t("pick");$("log").innerHTML="";return}
 $("who").textContent=current;let d;
 try{d=await api("api/messages?include_inbound=1&to="+encodeURIComponent(current))}
 catch(e){return}
 const j=JSON.stringify(d)+lang;if(j===lastJson)return;lastJson=j;
 let prev="";const out=[];
 for(const m of d){const k=day(m.time);if(k!==prev){prev=k;
  out.push(`<div class="day"><span>${esc(k)}</span></div>`)}out.push(bubble(m))}
 $("log").innerHTML=out.length?out.join(""):`<p class="empty">${esc(t("none"))}</p>`;
 $("log").scrollTop=1e9;
 $("log").querySelectorAll("[data-payload]").forEach(e=>e.onclick=()=>reply(
  {button_payload:e.dataset.payload},e));
 $("log").querySelectorAll("[data-reply]").forEach(e=>e.onclick=()=>reply(
  {reply_id:e.dataset.reply},e));
 $("log").querySelectorAll("[data-promo]").forEach(e=>e.onclick=async()=>{e.disabled=true;
  try{await api("api/marketing-preference",{from:current,value:"stop"});
  e.textContent=t("stopped")}catch(x){e.disabled=false;e.textContent=t("error")}});
 $("log").querySelectorAll("[data-code]").forEach(e=>e.onclick=()=>{
  navigator.clipboard&&navigator.clipboard.writeText(e.dataset.code);
  e.textContent=t("copied")})}
async function reply(extra,el){if(!current||busy)return;busy=true;if(el)el.disabled=true;
 try{await api("api/reply",Object.assign({from:current},extra))}
 catch(e){if(el){el.disabled=false;el.textContent=t("error")}}
 finally{busy=false}lastJson="";refresh()}
$("bar").onsubmit=e=>{e.preventDefault();const v=$("text").value.trim();
 if(v){$("text").value="";reply({text:v})}};
$("stop").onclick=()=>reply({text:"STOP"});
$("newchat").onsubmit=e=>{e.preventDefault();const v=$("newnum").value.trim();
 if(v){$("newnum").value="";open(v)}};
$("back").onclick=()=>open("");
$("lang").onchange=e=>{lang=e.target.value;lastJson="";lastChats="";refresh()};
refresh();setInterval(refresh,1500);
</script></body></html>
"""
