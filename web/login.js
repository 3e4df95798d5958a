// The login form: posts JSON to `login`; on success the server has set the session cookie.
const form = document.getElementById('login');
const error = document.getElementById('login-error');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const data = Object.fromEntries(new FormData(form));
  const button = form.querySelector('button');
  button.disabled = true;
  try {
    const res = await fetch('login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) });
    if (res.ok) {
      location.href = './';
      return;
    }
    const body = await res.json().catch(() => ({}));
    error.textContent = body.error ?? `login failed (HTTP ${res.status})`;
    error.hidden = false;
  } catch (err) {
    error.textContent = `cannot reach pulsemap: ${err.message}`;
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
});
