// "Add a row" for the task forms' row tables: clones the formset's empty form.
document.querySelectorAll(".app-formset").forEach(function (section) {
  var button = section.querySelector(".app-add-row");
  var total = section.querySelector('input[name$="-TOTAL_FORMS"]');
  var template = section.querySelector("template");
  var body = section.querySelector("tbody");
  if (!button || !total || !template) return;
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, index));
    total.value = index + 1;
  });
});
