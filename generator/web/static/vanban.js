// vanban: small helps on top of pages that work without JavaScript.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // the chosen file's name beside the styled file button (the browser's own says it in its language)
  document.querySelectorAll("input[type=file][data-ten-tep]").forEach(function (input) {
    var label = document.getElementById(input.dataset.tenTep);
    input.addEventListener("change", function () {
      var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
      label.textContent = names.length ? names.join(", ") : "Chưa chọn tệp";
      // the files' own dates, which a form upload does not carry: a form saved late stays late
      var dates = input.form && input.form.querySelector("[data-ngay-sua]");
      if (dates) {
        dates.value = JSON.stringify(Array.prototype.map.call(input.files, function (f) { return f.lastModified; }));
      }
    });
  });

  // the browser's own "please check this box" or "please select a file" is in its language: say it
  // in Vietnamese
  document.querySelectorAll("input[type=checkbox][required], input[type=file][required], select[required]").forEach(function (box) {
    var said = box.type === "file" ? "Hãy chọn tệp trước." :
      (box.tagName === "SELECT" ? "Hãy chọn một mục trong danh sách." : "Hãy đánh dấu ô này để xác nhận.");
    box.addEventListener("invalid", function () { box.setCustomValidity(said); });
    box.addEventListener("change", function () { box.setCustomValidity(""); });
  });

  // a form that takes time says so, and cannot be sent twice
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var waiting = form.querySelector("[data-cho]");
      if (waiting) { waiting.hidden = false; }
      var button = form.querySelector("button[type=submit]");
      if (button) {
        window.setTimeout(function () { button.disabled = true; button.textContent = "Đang xử lý…"; }, 0);
      }
    });
  });

  // progress of a build: ask the server, then show the finished page
  var box = document.getElementById("tien-do");
  if (box) {
    var bar = box.querySelector("progress");
    var stage = box.querySelector(".giai-doan");
    var count = box.querySelector(".dem");
    var poll = function () {
      fetch(box.dataset.trangThai, { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.finished) { window.location.reload(); return; }
          stage.textContent = s.stage;
          if (s.total) {
            bar.max = s.total; bar.value = s.done;
            count.textContent = s.done + " / " + s.total + " văn bản";
          }
          window.setTimeout(poll, 300);
        })
        .catch(function () { window.setTimeout(poll, 1000); });
    };
    window.setTimeout(poll, 200);
  }
});
