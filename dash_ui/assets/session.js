// With `sweepd ui --auth`: a request refused for want of a session (logged out in
// another tab, a revoked key, a restarted dashboard) sends the page to the login.
(function () {
  const fetchOriginal = window.fetch;
  window.fetch = function () {
    return fetchOriginal.apply(this, arguments).then(function (reply) {
      const login = reply.status === 401 && reply.headers.get("X-Sweepd-Login");
      if (login) {
        window.location.assign(login + "?next=" + encodeURIComponent(window.location.pathname));
      }
      return reply;
    });
  };
})();
