// Kho web portal: progressive enhancement only. Every page works without this file; with it,
// uploads show their progress, sort menus apply at once, filters fold away on small screens and
// the URL name of a new dataset is previewed from its title.
(function () {
  'use strict';

  function ready(fn) {
    if (document.readyState !== 'loading') fn();
    else document.addEventListener('DOMContentLoaded', fn);
  }

  function slugify(text) {
    return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D')
      .toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100).replace(/-+$/, '');
  }

  function fill(template, values) {
    return String(template || '').replace(/\{(\w+)\}/g, function (whole, name) {
      return values[name] !== undefined ? values[name] : whole;
    });
  }

  function showFieldErrors(form, errors) {
    form.querySelectorAll('.js-error').forEach(function (node) { node.remove(); });
    form.querySelectorAll('[aria-invalid="true"]').forEach(function (node) { node.removeAttribute('aria-invalid'); });
    var first = null;
    Object.keys(errors).forEach(function (name) {
      var messages = [].concat(errors[name]).join(' ');
      var wrap = form.querySelector('#field-' + name + '-wrap') || form.querySelector('.form-actions');
      var input = form.querySelector('#field-' + name);
      var p = document.createElement('p');
      p.className = 'error js-error';
      p.id = 'field-' + name + '-jserror';
      p.textContent = messages;
      if (wrap && input && wrap.contains(input)) {
        wrap.insertBefore(p, input);
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', p.id);
        wrap.classList.add('has-error');
        if (!first) first = input;
      } else if (wrap) {
        wrap.parentNode.insertBefore(p, wrap);
      }
    });
    if (first) first.focus();
  }

  function enhanceUpload(form) {
    var status = form.querySelector('.upload-status');
    var bar = form.querySelector('progress');
    var message = form.querySelector('[data-upload-message]');
    var maxBytes = Number(form.getAttribute('data-max-bytes')) || 0;
    form.addEventListener('submit', function (event) {
      var fileInput = form.querySelector('input[type="file"]');
      var file = fileInput && fileInput.files && fileInput.files[0];
      if (file && maxBytes && file.size > maxBytes) {
        event.preventDefault();
        showFieldErrors(form, { upload: [message.getAttribute('data-text-too-large')] });
        return;
      }
      if (!window.FormData || !window.XMLHttpRequest) return;
      event.preventDefault();
      var button = form.querySelector('button[type="submit"]');
      var data = new FormData(form);
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
      var token = form.querySelector('input[name="_csrf_token"]');
      if (token) xhr.setRequestHeader('X-CSRFToken', token.value);
      status.hidden = false;
      bar.value = 0;
      bar.textContent = '0%';
      button.disabled = true;
      message.textContent = fill(message.getAttribute('data-text-sending'), { percent: 0 });
      xhr.upload.addEventListener('progress', function (e) {
        if (!e.lengthComputable) return;
        var percent = Math.round((e.loaded / e.total) * 100);
        bar.value = percent;
        bar.textContent = percent + '%';
        if (percent < 100 || !message.textContent) message.textContent = fill(message.getAttribute('data-text-sending'), { percent: percent });
      });
      xhr.addEventListener('load', function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
        if (xhr.status >= 200 && xhr.status < 300 && body && body.location) {
          bar.value = 100;
          bar.textContent = '100%';
          form.setAttribute('data-upload-done', 'true');
          message.textContent = message.getAttribute('data-text-done');
          window.location.assign(body.location);
          return;
        }
        button.disabled = false;
        message.textContent = message.getAttribute('data-text-failed');
        if (body && body.errors) showFieldErrors(form, body.errors);
      });
      xhr.addEventListener('error', function () {
        button.disabled = false;
        message.textContent = message.getAttribute('data-text-failed');
      });
      xhr.send(data);
    });
  }

  function enhanceSlug(form) {
    var title = form.querySelector('#field-title');
    var name = form.querySelector('#field-name');
    if (!title || !name || name.value) return;
    title.addEventListener('input', function () {
      name.placeholder = slugify(title.value);
    });
  }

  ready(function () {
    document.querySelectorAll('select[data-autosubmit]').forEach(function (select) {
      select.addEventListener('change', function () { if (select.form) select.form.submit(); });
    });
    if (window.matchMedia && window.matchMedia('(max-width: 59.99rem)').matches) {
      document.querySelectorAll('details[data-collapse-narrow]').forEach(function (details) {
        if (!details.querySelector('a.active')) details.removeAttribute('open');
      });
    }
    document.querySelectorAll('form[data-upload-form]').forEach(enhanceUpload);
    document.querySelectorAll('form[data-slug-form]').forEach(enhanceSlug);
    var summary = document.getElementById('error-summary');
    if (summary) summary.focus();
  });
})();
