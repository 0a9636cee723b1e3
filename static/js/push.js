/* Reminders on this phone by Web Push (reminders.push, docs/reminders-push.md).

   - The block {% push_block %} draws ([data-push]) offers "Allow reminders on this phone" where
     the browser takes notifications: it asks the permission, subscribes with the server's
     public VAPID key and sends the subscription to the server; "Stop" ends both.
   - A phone already subscribed sends its subscription again when the block shows (the server
     forgets it after a push service's 404/410, or when someone else signed in on the phone).
   - At sign-out (static/js/outbox.js calls Softbridge.push.signingOut), the phone ends its
     subscription and the sign-out form names it to the server, which forgets it too: the next
     user of the phone gets none of the last one's reminders.
   The service worker (templates/sw.js) shows each push and opens Today when it is tapped. */
(function () {
  "use strict";
  const supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  // Sign-out must not wait on a push service out of reach.
  const SIGN_OUT_WAITS = 3000;

  function csrfToken() {
    const found = document.cookie.split("; ").find(function (item) { return item.indexOf("csrftoken=") === 0; });
    return found ? decodeURIComponent(found.slice("csrftoken=".length)) : "";
  }

  function keyBytes(base64url) {
    const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4));
    return Uint8Array.from(text, function (c) { return c.charCodeAt(0); });
  }

  function send(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    });
  }

  async function current() {
    const registration = await navigator.serviceWorker.getRegistration("/");
    return registration ? registration.pushManager.getSubscription() : null;
  }

  function within(ms, promise) {
    return Promise.race([promise, new Promise(function (resolve) { setTimeout(resolve, ms); })]);
  }

  async function signingOut(form) {
    if (!supported) return;
    try {
      await within(SIGN_OUT_WAITS, (async function () {
        const subscription = await current();
        if (!subscription) return;
        const field = document.createElement("input");
        field.type = "hidden";
        field.name = "push_endpoint";
        field.value = subscription.endpoint;
        form.appendChild(field);
        await subscription.unsubscribe();
      })());
    } catch (error) { /* the sign-out goes on: the server forgets the phone at its next 404/410 */ }
  }

  function setUp(block) {
    const off = block.querySelector("[data-push-off]");
    const on = block.querySelector("[data-push-on]");
    const said = block.querySelector("[data-push-said]");
    const quiet = block.hasAttribute("data-quiet");

    function draw(subscribed, text) {
      off.hidden = subscribed;
      on.hidden = !subscribed;
      said.textContent = text || "";
      block.hidden = quiet && (subscribed || Notification.permission === "denied") && !text;
    }

    block.querySelector("[data-push-allow]").addEventListener("click", async function () {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") return draw(false, block.dataset.denied);
      try {
        const registration = await navigator.serviceWorker.ready;
        const subscription = (await registration.pushManager.getSubscription()) ||
          (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(block.dataset.key) }));
        const answer = await send(block.dataset.subscribe, subscription.toJSON());
        if (!answer.ok) throw new Error(String(answer.status));
        draw(true);
      } catch (error) {
        draw(false, block.dataset.failed);
      }
    });

    block.querySelector("[data-push-stop]").addEventListener("click", async function () {
      const subscription = await current();
      if (subscription) {
        await send(block.dataset.unsubscribe, { endpoint: subscription.endpoint }).catch(function () {});
        await subscription.unsubscribe().catch(function () {});
      }
      draw(false, block.dataset.stopped);
    });

    current().then(function (subscription) {
      const subscribed = Boolean(subscription) && Notification.permission === "granted";
      if (subscribed) send(block.dataset.subscribe, subscription.toJSON()).catch(function () {});
      draw(subscribed);
    }).catch(function () { draw(false); });
  }

  window.Softbridge = window.Softbridge || {};
  window.Softbridge.push = { signingOut: signingOut };
  if (supported) document.querySelectorAll("[data-push]").forEach(setUp);
})();
