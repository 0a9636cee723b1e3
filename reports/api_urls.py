app_name = "reports_api"

urlpatterns = []
