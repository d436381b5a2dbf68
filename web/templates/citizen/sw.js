/* The citizen page's service worker (scope /citizen/): the page shell and its static files come from the cache
   when offline; API answers and tracking pages are never cached (they change and are the citizen's own). */
"use strict";
var CACHE = "citizen-shell-v1";
var SHELL = {{ shell|tojson }};

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (SHELL.indexOf(url.pathname) < 0) { return; }  // the API, /t/ pages, photos: always the network
  event.respondWith(fetch(event.request).then(function (response) {
    var copy = response.clone();
    if (response.ok) { caches.open(CACHE).then(function (cache) { cache.put(event.request, copy); }); }
    return response;
  }).catch(function () { return caches.match(event.request); }));
});
