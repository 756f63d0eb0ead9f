// sipxl's getAuth (written by `sipxl addin init`; overrides xlwings Server's static/js/auth.js).
// Entra ID: the user's access token (xlwings Server's own flow). Token ("custom" provider): the authority's token,
// which the teacher enters once in the SIPXL task pane; it is kept in this Office profile's local storage.
globalThis.getAuth = async function () {
  if (config.authProviders.includes("entraid")) {
    return { token: await xlwings.getAccessToken(), provider: "entraid" };
  }
  if (config.authProviders.includes("custom")) {
    return { token: localStorage.getItem("sipxl-token") || "", provider: "custom" };
  }
  return { token: "", provider: "" };
};
