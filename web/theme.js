// Applies the remembered (or the system's) theme before the first paint, so the page never flashes.
(function () {
  let theme = null;
  try { theme = localStorage.getItem('pulsemap-theme'); } catch (e) { /* storage blocked */ }
  if (theme !== 'dark' && theme !== 'light') theme = window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  document.documentElement.dataset.theme = theme;
})();
